-- The incident a capture was read under (the record's optional, signed "incident" field), so the
-- captures of one incident are found without parsing every record. NULL for reads under none and
-- for every capture stored before this column existed. The writer's table grant covers it.
ALTER TABLE evidence.captures ADD COLUMN incident text;
CREATE INDEX captures_incident ON evidence.captures (incident, captured_at) WHERE incident IS NOT NULL;
