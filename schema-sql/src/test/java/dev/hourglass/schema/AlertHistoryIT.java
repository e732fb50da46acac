package dev.hourglass.schema;

import static dev.hourglass.schema.Fixtures.ORG_A;
import static dev.hourglass.schema.Fixtures.ORG_B;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The alert-history functions of V23 (issue 20), with exact figures, for the owner and for an
 * analyst whose row-level security limits them to the session's organization.
 */
@HourglassIT
class AlertHistoryIT {
  private static final String H0 = "2026-11-20 00:00:00+00";
  private static final String RANGE = "'" + H0 + "'::timestamptz";
  private static final String K1 = "00000000-0000-0000-0000-0000000000e1";
  private static final String K2 = "00000000-0000-0000-0000-0000000000e2";

  /**
   * Organization A: agent_failure_rate of K1 fires for hours 0, 3 and 5 (the last by a correction,
   * still firing) and resolves 100 and 60 minutes after firing; of K2 fires for hour 1 and resolves
   * after 120 minutes; integration_error_rate fires for hour 2, still firing. Organization B:
   * agent_failure_rate of K1 for hour 0, still firing.
   */
  private static void history(Connection c) throws SQLException {
    alert(c, ORG_A, "agent_failure_rate", "WARNING", K1, 0, 20, 120, null);
    alert(c, ORG_A, "agent_failure_rate", "WARNING", K1, 3, 10, 70, null);
    alert(c, ORG_A, "agent_failure_rate", "WARNING", K1, 5, 5, null, 900_000L);
    alert(c, ORG_A, "agent_failure_rate", "WARNING", K2, 1, 30, 150, null);
    alert(c, ORG_A, "integration_error_rate", "CRITICAL", "github", 2, 15, null, null);
    alert(c, ORG_B, "agent_failure_rate", "WARNING", K1, 0, 20, null, null);
  }

  /** A FIRING alert of hour {@code hour}, and its RESOLVED when {@code resolvedMinute} is set. */
  private static void alert(
      Connection c,
      String org,
      String rule,
      String severity,
      String key,
      int hour,
      int firedMinute,
      Integer resolvedMinute,
      Long lateMs)
      throws SQLException {
    String windowStart = "'" + H0 + "'::timestamptz + interval '" + hour + " hours'";
    String firedAt = windowStart + " + interval '" + firedMinute + " minutes'";
    String values =
        "'"
            + rule
            + "', '"
            + severity
            + "', %s, '"
            + org
            + "', '"
            + (rule.startsWith("agent") ? "agent" : "integration")
            + "', '"
            + key
            + "', "
            + windowStart
            + ", "
            + windowStart
            + " + interval '1 hour', 0.3, 0.25, "
            + firedAt
            + ", %s, 'm', "
            + (lateMs == null ? "NULL" : lateMs.toString());
    String insert =
        "INSERT INTO alerts (alert_id, rule, severity, state, organization_id, entity_type,"
            + " entity_key, window_start, window_end, observed_value, threshold, fired_at,"
            + " resolved_at, message, correction_late_ms) VALUES (gen_random_uuid(), ";
    Sql.exec(c, insert + String.format(values, "'FIRING'", "NULL") + ")");
    if (resolvedMinute != null) {
      String resolvedAt = windowStart + " + interval '" + resolvedMinute + " minutes'";
      Sql.exec(c, insert + String.format(values, "'RESOLVED'", resolvedAt) + ")");
    }
  }

  private static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    for (List<Object> row : Sql.tuples(c, sql)) {
      out.add(String.join("|", row.stream().map(String::valueOf).toList()));
    }
    return out;
  }

  private static void assertOrganizationA(Connection c) throws SQLException {
    assertThat(
            rows(
                c,
                "SELECT rule, entity_key, window_start AT TIME ZONE 'UTC', correction_late_ms"
                    + " FROM alerts_firing_now('"
                    + ORG_A
                    + "')"))
        .containsExactly(
            "integration_error_rate|github|2026-11-20 02:00:00.0|null",
            "agent_failure_rate|" + K1 + "|2026-11-20 05:00:00.0|900000");
    assertThat(
            rows(
                c,
                "SELECT * FROM alert_summary('"
                    + ORG_A
                    + "', "
                    + RANGE
                    + ", "
                    + RANGE
                    + " + interval '6 hours')"))
        .containsExactly(
            "agent_failure_rate|WARNING|4|3|1|1|2", "integration_error_rate|CRITICAL|1|0|1|0|1");
    assertThat(
            rows(
                c,
                "SELECT * FROM alert_summary('"
                    + ORG_A
                    + "', "
                    + RANGE
                    + ", "
                    + RANGE
                    + " + interval '3 hours')"))
        .containsExactly(
            "agent_failure_rate|WARNING|2|2|0|0|2", "integration_error_rate|CRITICAL|1|0|1|0|1");
    assertThat(
            rows(
                c,
                "SELECT rule, resolved, extract(epoch FROM mean_time)::bigint AS mean_s,"
                    + " extract(epoch FROM median_time)::bigint AS median_s,"
                    + " extract(epoch FROM max_time)::bigint AS max_s"
                    + " FROM alert_time_to_resolve('"
                    + ORG_A
                    + "', "
                    + RANGE
                    + ", "
                    + RANGE
                    + " + interval '6 hours')"))
        .containsExactly("agent_failure_rate|3|5600|6000|7200");
    assertThat(
            rows(
                c,
                "SELECT rule, entity_type, entity_key, firings, resolutions,"
                    + " first_fired AT TIME ZONE 'UTC' AS first_utc, last_fired AT TIME ZONE 'UTC' AS last_utc"
                    + " FROM alert_flapping_keys('"
                    + ORG_A
                    + "', "
                    + RANGE
                    + ", "
                    + RANGE
                    + " + interval '6 hours')"))
        .containsExactly(
            "agent_failure_rate|agent|" + K1 + "|3|2|2026-11-20 00:20:00.0|2026-11-20 05:05:00.0");
    assertThat(
            rows(
                c,
                "SELECT count(*) FROM alert_flapping_keys('"
                    + ORG_A
                    + "', "
                    + RANGE
                    + ", "
                    + RANGE
                    + " + interval '6 hours', 4)"))
        .containsExactly("0");
  }

  @Test
  void shouldReadAlertHistoryWithExactFigures(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection admin = db.connect()) {
      history(admin);
      assertOrganizationA(admin);
      assertThat(rows(admin, "SELECT count(*) FROM alerts_firing_now('" + ORG_B + "')"))
          .containsExactly("1");
    }
  }

  @Test
  void shouldLimitAnAnalystToTheSessionsOrganization(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection admin = db.connect();
        LoginRole analyst = new LoginRole(db, "hourglass_analyst");
        Connection c = analyst.connect()) {
      history(admin);
      // The owner grants this login both organizations; the session setting picks one.
      analyst.grant(ORG_A, ORG_B);
      Sql.exec(c, "SET hourglass.organization_id = '" + ORG_A + "'");
      assertOrganizationA(c);
      // Naming another organization does not get around row-level security.
      assertThat(rows(c, "SELECT count(*) FROM alerts_firing_now('" + ORG_B + "')"))
          .containsExactly("0");
      assertThat(
              rows(
                  c,
                  "SELECT count(*) FROM alert_summary('"
                      + ORG_B
                      + "', "
                      + RANGE
                      + ", "
                      + RANGE
                      + " + interval '6 hours')"))
          .containsExactly("0");
      Sql.exec(c, "SET hourglass.organization_id = '" + ORG_B + "'");
      assertThat(rows(c, "SELECT count(*) FROM alerts_firing_now('" + ORG_B + "')"))
          .containsExactly("1");
    }
  }
}
