-- Alerts fired or resolved by a correction (issue 20): how far, in stream time, the hour's end lay
-- behind when the late event came (Alert.correction_late_ms). NULL for alerts of the running or
-- closing hour, and for every alert written before this version. The unique key is unchanged: a
-- correction never adds a second FIRING for a (rule, key, hour).
ALTER TABLE alerts ADD COLUMN correction_late_ms bigint NULL
    CONSTRAINT alerts_correction_late_not_negative CHECK (correction_late_ms >= 0);
