-- Content removed by a privileged purge (a secret redaction missed): the chunks are deleted, the
-- blob row and every signed record citing it stay, and this row says who purged it, when and why,
-- so verification answers "purged by ... at ...: reason" instead of a bare "missing".
CREATE TABLE evidence.purges (
    team      text        NOT NULL,
    env       text        NOT NULL,
    sha256    text        NOT NULL,
    id        text        NOT NULL,   -- the evidence id the purge named
    purged_by text        NOT NULL,
    purged_at timestamptz NOT NULL,
    reason    text        NOT NULL CHECK (length(reason) > 0),
    PRIMARY KEY (team, env, sha256),
    FOREIGN KEY (team, env, sha256) REFERENCES evidence.blobs (team, env, sha256)
);

GRANT SELECT ON evidence.purges TO afs_evidence_writer, afs_evidence_reader;
