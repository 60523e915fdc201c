-- Rollbacks through agents (execution: agents): the rollback of an action is leased to the agent
-- like the action itself. Agents' polls look for them as often as for forward actions.
CREATE INDEX actions_rollback_queue ON actions (cluster, queued_ms) WHERE status IN ('ROLLBACK_QUEUED', 'ROLLBACK_LEASED');
