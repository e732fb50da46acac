package dev.hourglass.sink;

import dev.hourglass.rollups.Alert;
import java.util.ArrayList;
import java.util.List;

/** Alerts, insert-or-ignore: a replayed alert hits its primary key or its unique key (I5). */
final class AlertWrites {
  private static final Unnest<Alert> COLUMNS =
      new Unnest<Alert>()
          .col("alert_id", "text", Alert::getAlertId)
          .col("rule", "text", Alert::getRule)
          .col("severity", "text", a -> a.getSeverity().name())
          .col("state", "text", a -> a.getState().name())
          .col("organization_id", "text", Alert::getOrganizationId)
          .col("entity_type", "text", Alert::getEntityType)
          .col("entity_key", "text", Alert::getEntityKey)
          .col("window_start", "int8", a -> Sql.millis(a.getWindowStart()))
          .col("window_end", "int8", a -> Sql.millis(a.getWindowEnd()))
          .col("observed_value", "float8", Alert::getObservedValue)
          .col("threshold", "float8", Alert::getThreshold)
          .col("fired_at", "int8", a -> Sql.millis(a.getFiredAt()))
          .col("resolved_at", "int8", a -> Sql.millis(a.getResolvedAt()))
          .col("message", "text", Alert::getMessage)
          .col("correction_late_ms", "int8", Alert::getCorrectionLateMs);

  private static final String SQL =
      "INSERT INTO alerts (alert_id, rule, severity, state, organization_id, entity_type,"
          + " entity_key, window_start, window_end, observed_value, threshold, fired_at,"
          + " resolved_at, message, correction_late_ms) SELECT u.alert_id::uuid, u.rule, u.severity, u.state,"
          + " u.organization_id::uuid, u.entity_type, u.entity_key, "
          + Sql.ts("u.window_start")
          + ", "
          + Sql.ts("u.window_end")
          + ", u.observed_value, u.threshold, "
          + Sql.ts("u.fired_at")
          + ", "
          + Sql.ts("u.resolved_at")
          + ", u.message, u.correction_late_ms FROM "
          + COLUMNS.from()
          + " ON CONFLICT DO NOTHING";

  private final List<Alert> alerts = new ArrayList<>();

  void add(Alert a) {
    alerts.add(a);
  }

  Sql.Statement statement() {
    return new Sql.Statement("alerts", SQL, COLUMNS.rows(alerts));
  }
}
