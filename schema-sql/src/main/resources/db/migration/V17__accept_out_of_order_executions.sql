-- Every event the validator accepts must fit the raw tables: an event the processor counted and
-- the sink then dead-lettered would break the books (acknowledged = counted + dead-lettered +
-- duplicates suppressed). Events arrive out of order, so a COMPLETED event may carry an earlier
-- time than its STARTED event; the row records what the events said, and the rollups are the
-- measure of durations.
ALTER TABLE task_executions DROP CONSTRAINT task_executions_completed_after_started;
