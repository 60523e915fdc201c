-- Incidents (issue 17): what alerts and people open, one state machine per incident, what it
-- used of its budget, the repeats that escalate it, and every notification delivery attempt.
CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  severity TEXT NOT NULL,
  team TEXT NOT NULL,
  env TEXT NOT NULL,
  title TEXT NOT NULL,
  -- who opened it (alertmanager:<sender>, pagerduty:<sender>, or the principal) and the sender's
  -- key for it (Alertmanager's groupKey, PagerDuty's dedup_key): later notifications update it
  source TEXT NOT NULL,
  source_key TEXT,
  context TEXT NOT NULL,
  escalation TEXT,
  opened_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL
);
CREATE INDEX incidents_source ON incidents (source, source_key);

CREATE TABLE incident_usage (
  incident TEXT NOT NULL,
  kind TEXT NOT NULL,
  amount BIGINT NOT NULL,
  PRIMARY KEY (incident, kind)
);

-- the same read (source and content) or action (tool, target and the evidence it cites) seen again
CREATE TABLE incident_repeats (
  incident TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  seen INTEGER NOT NULL,
  last_ms BIGINT NOT NULL,
  PRIMARY KEY (incident, fingerprint)
);

CREATE TABLE notifications (
  id TEXT PRIMARY KEY,
  incident TEXT NOT NULL,
  event TEXT NOT NULL,
  channel TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL,
  at_ms BIGINT NOT NULL
);
CREATE INDEX notifications_incident ON notifications (incident, at_ms);
