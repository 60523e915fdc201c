-- Incident workspaces (/incidents/<id>/ in the mount, GET /v1/incidents/<id>/timeline).
-- The incident a registered capture was read under: the record's signed "incident" field, kept in
-- a column so one incident's reads are found without parsing every record (NULL: none).
ALTER TABLE evidence ADD COLUMN incident TEXT;
CREATE INDEX evidence_incident ON evidence (incident, received_ms);

-- What humans said about a step of an incident's timeline (echo useful > /incidents/<id>/feedback/<step>):
-- append-only, each with who said it (principal as the harness proved it, and the person it counts as)
-- and the team/env of the step, so a reader sees only feedback on steps of envs it may read.
CREATE TABLE feedback (
  incident TEXT NOT NULL,
  step TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('useful', 'useless', 'dangerous')),
  principal TEXT NOT NULL,
  person TEXT NOT NULL,
  team TEXT NOT NULL,
  env TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  PRIMARY KEY (incident, step, principal, at_ms)
);
CREATE INDEX feedback_incident ON feedback (incident, at_ms);
