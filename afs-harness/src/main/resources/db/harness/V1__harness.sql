-- The harness's state on PostgreSQL (store: postgresql). The same tables as the embedded
-- SQLite store, plus the claim a replica takes on a request while it runs its steps.
CREATE TABLE requests (
  id TEXT PRIMARY KEY,
  incident TEXT NOT NULL,
  team TEXT NOT NULL,
  env TEXT NOT NULL,
  submitter TEXT NOT NULL,
  submitter_person TEXT NOT NULL,
  state TEXT NOT NULL,
  mode TEXT NOT NULL,
  document TEXT NOT NULL,
  doc_sha TEXT NOT NULL,
  required_approvals INTEGER NOT NULL DEFAULT 0,
  reasons TEXT NOT NULL DEFAULT '[]',
  created_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL,
  runner TEXT,
  runner_until_ms BIGINT
);
CREATE INDEX requests_incident ON requests (incident, created_ms);
CREATE INDEX requests_state ON requests (state, created_ms);

CREATE TABLE plan_approvals (
  request_id TEXT NOT NULL,
  person TEXT NOT NULL,
  principal TEXT NOT NULL,
  plan_sha TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  PRIMARY KEY (request_id, person, plan_sha)
);

CREATE TABLE actions (
  request_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  tool TEXT NOT NULL,
  target TEXT NOT NULL,
  status TEXT NOT NULL,
  before_state TEXT,
  marker TEXT,
  outcome TEXT,
  -- execution: agents: the cluster whose agent runs it, when it was queued, the expiry of its
  -- newest intent, and the replica that claimed it to sign that intent
  cluster TEXT,
  queued_ms BIGINT,
  lease_expires_ms BIGINT,
  claimed_by TEXT,
  claimed_until_ms BIGINT,
  PRIMARY KEY (request_id, idx)
);
CREATE INDEX actions_target ON actions (tool, target);
-- an agent's poll searches only the actions waiting for its cluster
CREATE INDEX actions_queue ON actions (cluster, queued_ms) WHERE status IN ('QUEUED', 'LEASED');

-- seq is the primary key: two appends that read the same head cannot both commit
CREATE TABLE ledger (
  seq BIGINT PRIMARY KEY,
  hash TEXT NOT NULL,
  line TEXT NOT NULL,
  team TEXT NOT NULL DEFAULT '',
  env TEXT NOT NULL DEFAULT ''
);

-- intents leased to cluster agents, and the signed result each got
CREATE TABLE intents (
  jti TEXT PRIMARY KEY,
  request_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  cluster TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  key_id TEXT NOT NULL,
  iat_ms BIGINT NOT NULL,
  exp_ms BIGINT NOT NULL,
  result TEXT,
  outcome TEXT,
  reason TEXT
);
CREATE INDEX intents_action ON intents (request_id, idx);

-- captures registered by the mounts (EvidenceRegistry), shared by every replica
CREATE TABLE evidence (
  id TEXT PRIMARY KEY,
  team TEXT NOT NULL,
  env TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  key_id TEXT NOT NULL,
  record TEXT NOT NULL,
  signature TEXT NOT NULL,
  received_ms BIGINT NOT NULL
);
