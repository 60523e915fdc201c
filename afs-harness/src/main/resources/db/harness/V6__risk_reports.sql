-- The newest risk report of each request (RiskReport as YAML, what /change_requests/<id>.risk
-- shows), kept beside its gate report so that every replica sharing the database serves it.
CREATE TABLE risk_reports (
  request_id TEXT PRIMARY KEY,
  report TEXT NOT NULL
);
