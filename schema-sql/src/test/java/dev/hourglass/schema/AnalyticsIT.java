package dev.hourglass.schema;

import static dev.hourglass.schema.Fixtures.ALPHA;
import static dev.hourglass.schema.Fixtures.BETA;
import static dev.hourglass.schema.Fixtures.ORG_A;
import static dev.hourglass.schema.Fixtures.ORG_B;
import static dev.hourglass.schema.Fixtures.PROJECT_A1;
import static dev.hourglass.schema.Fixtures.hour;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

@HourglassIT
class AnalyticsIT {

  @Test
  void shouldReadOwnOrganizationsRollupsAsAnalyst(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection admin = db.connect();
        LoginRole analyst = new LoginRole(db, "hourglass_analyst").grant(ORG_A)) {
      Fixtures.tenants(admin);
      Long[] histogram = new Long[128];
      java.util.Arrays.fill(histogram, 0L);
      histogram[40] = 19L;
      histogram[44] = 1L;
      try (var ps =
          admin.prepareStatement(
              "INSERT INTO task_rollups_hourly (organization_id, project_id, window_start,"
                  + " window_end, event_count, created_count, completed_count, failed_count,"
                  + " duration_histogram, is_final) SELECT ?::uuid, ?::uuid, w, w + interval '1 hour',"
                  + " 9, 5, 3, 1, ?, true FROM (SELECT "
                  + hour(3)
                  + " AS w) s")) {
        ps.setString(1, ORG_A);
        ps.setString(2, PROJECT_A1);
        ps.setArray(3, admin.createArrayOf("bigint", histogram));
        ps.executeUpdate();
      }
      Sql.exec(
          admin,
          "INSERT INTO agent_rollups_hourly (organization_id, agent_id, agent_type, window_start,"
              + " window_end, event_count, started_count, completed_count, failed_count,"
              + " cost_micros_sum, performance_score_sum, performance_score_count,"
              + " duration_ms_sum, duration_count) SELECT '"
              + ORG_A
              + "', '"
              + ALPHA
              + "', 'codegen', w, w + interval '1 hour', 6, 3, 2, 1, 1250000, 1.8, 2, 4500, 3"
              + " FROM (SELECT "
              + hour(3)
              + " AS w) s");
      Instant windowStart = ((Timestamp) Sql.value(admin, "SELECT " + hour(3))).toInstant();
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setUrl(db.jdbcUrl());
      ds.setUser(analyst.name);
      ds.setPassword(analyst.password());
      Analytics analytics = Analytics.on(ds);

      assertThat(
              analytics.taskHours(
                  UUID.fromString(ORG_A), windowStart, windowStart.plus(1, ChronoUnit.HOURS)))
          .containsExactly(
              new Analytics.TaskHour(
                  UUID.fromString(PROJECT_A1), windowStart, 9, 5, 3, 1, 1024.0, true));
      assertThat(analytics.agentPerformance(UUID.fromString(ORG_A), Duration.ofDays(1)))
          .containsExactly(
              new Analytics.AgentPerformance(
                  UUID.fromString(ALPHA),
                  "alpha",
                  3,
                  new BigDecimal("66.67"),
                  Duration.ofMillis(1500),
                  new BigDecimal("1.250000"),
                  new BigDecimal("0.9000")),
              new Analytics.AgentPerformance(
                  UUID.fromString(BETA),
                  "beta",
                  0,
                  BigDecimal.ZERO,
                  null,
                  new BigDecimal("0.000000"),
                  BigDecimal.ZERO));
      // Row-level security still applies: the same login reads nothing of organization B.
      assertThat(
              analytics.taskHours(
                  UUID.fromString(ORG_B), windowStart, windowStart.plus(1, ChronoUnit.HOURS)))
          .isEmpty();
      java.time.LocalDate day = windowStart.atZone(java.time.ZoneOffset.UTC).toLocalDate();
      assertThat(analytics.organizationAnalytics(UUID.fromString(ORG_A), day, day))
          .contains("\"summary\": {\"total_cost\": 1.250000, \"total_tasks\": 5,")
          .contains("\"completion_rate\": 60.00");
    }
  }
}
