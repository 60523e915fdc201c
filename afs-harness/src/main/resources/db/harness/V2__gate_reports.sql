-- What the gates decided the last time they ran on a request, gate by gate (GateReport as JSON):
-- the request's status, the JSON API and the approval page show this one record.
CREATE TABLE gate_reports (
  request_id TEXT PRIMARY KEY,
  report TEXT NOT NULL
);
