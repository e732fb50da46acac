package dev.hourglass.sink;

import dev.hourglass.rollups.Alert;

/** Alerts, insert-or-ignore: a replayed alert hits its primary key or its unique key (I5). */
final class AlertWrites {
  private static final String SQL =
      "INSERT INTO alerts (alert_id, rule, severity, state, organization_id, entity_type,"
          + " entity_key, window_start, window_end, observed_value, threshold, fired_at,"
          + " resolved_at, message) SELECT u.alert_id::uuid, u.rule, u.severity, u.state,"
          + " u.organization_id::uuid, u.entity_type, u.entity_key, "
          + Sql.ts("u.window_start")
          + ", "
          + Sql.ts("u.window_end")
          + ", u.observed_value, u.threshold, "
          + Sql.ts("u.fired_at")
          + ", "
          + Sql.ts("u.resolved_at")
          + ", u.message FROM "
          + rows().from()
          + " ON CONFLICT DO NOTHING";

  private final Unnest rows = rows();

  private static Unnest rows() {
    return new Unnest()
        .col("alert_id", "text")
        .col("rule", "text")
        .col("severity", "text")
        .col("state", "text")
        .col("organization_id", "text")
        .col("entity_type", "text")
        .col("entity_key", "text")
        .col("window_start", "int8")
        .col("window_end", "int8")
        .col("observed_value", "float8")
        .col("threshold", "float8")
        .col("fired_at", "int8")
        .col("resolved_at", "int8")
        .col("message", "text");
  }

  void add(Alert a) {
    rows.row(
        a.getAlertId(),
        a.getRule(),
        a.getSeverity().name(),
        a.getState().name(),
        a.getOrganizationId(),
        a.getEntityType(),
        a.getEntityKey(),
        Sql.millis(a.getWindowStart()),
        Sql.millis(a.getWindowEnd()),
        a.getObservedValue(),
        a.getThreshold(),
        Sql.millis(a.getFiredAt()),
        Sql.millis(a.getResolvedAt()),
        a.getMessage());
  }

  Sql.Statement statement() {
    return new Sql.Statement(SQL, rows);
  }
}
