-- The shared evidence store (schema evidence, history table evidence.flyway_evidence_history).
-- Content is stored once per team/env under its sha256, in 1 MiB chunks (a bytea value is
-- capped at 1 GB); a blob row is written after all its chunks, in the same transaction, so a
-- blob row means complete content. A capture row may only point at a complete blob.

CREATE TABLE evidence.blobs (
    team      text        NOT NULL,
    env       text        NOT NULL,
    sha256    text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size      bigint      NOT NULL CHECK (size >= 0),
    chunks    integer     NOT NULL CHECK (chunks >= 0),
    stored_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team, env, sha256)
);

CREATE TABLE evidence.chunks (
    team   text    NOT NULL,
    env    text    NOT NULL,
    sha256 text    NOT NULL,
    seq    integer NOT NULL CHECK (seq >= 0),
    data   bytea   NOT NULL,
    PRIMARY KEY (team, env, sha256, seq)
);

CREATE TABLE evidence.captures (
    id          text        PRIMARY KEY,
    team        text        NOT NULL,
    env         text        NOT NULL,
    sha256      text        NOT NULL,
    source      text        NOT NULL,
    captured_at timestamptz NOT NULL,
    caller      text        NOT NULL,
    key_id      text        NOT NULL,
    record      text        NOT NULL,   -- the record's RFC 8785 form, exactly as signed
    signature   text        NOT NULL,
    stats       text        NOT NULL DEFAULT '{}',
    stored_at   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (team, env, sha256) REFERENCES evidence.blobs (team, env, sha256)
);

CREATE INDEX captures_team_env_at ON evidence.captures (team, env, captured_at);
CREATE INDEX captures_source ON evidence.captures (source);
CREATE INDEX captures_captured_at ON evidence.captures (captured_at);
CREATE INDEX captures_caller ON evidence.captures (caller);

-- Mounts write evidence as a member of afs_evidence_writer: INSERT (and SELECT, to find what is
-- already there), never UPDATE, DELETE or TRUNCATE, and nothing outside this schema. The harness
-- reads as a member of afs_evidence_reader. Roles are cluster-wide, so they are created once.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'afs_evidence_writer') THEN
        CREATE ROLE afs_evidence_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'afs_evidence_reader') THEN
        CREATE ROLE afs_evidence_reader NOLOGIN;
    END IF;
END
$$;

REVOKE ALL ON SCHEMA evidence FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA evidence FROM PUBLIC;
GRANT USAGE ON SCHEMA evidence TO afs_evidence_writer, afs_evidence_reader;
GRANT SELECT, INSERT ON evidence.blobs, evidence.chunks, evidence.captures TO afs_evidence_writer;
GRANT SELECT ON evidence.blobs, evidence.chunks, evidence.captures TO afs_evidence_reader;
