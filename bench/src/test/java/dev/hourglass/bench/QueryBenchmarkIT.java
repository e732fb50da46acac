package dev.hourglass.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.schema.Sql;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

@HourglassIT
class QueryBenchmarkIT {

  @Test
  void shouldLoadTheDataSetOnceAndMeasureEveryQueryAtEveryClientCount(TestDatabase db)
      throws SQLException {
    Sql.migrate(db);
    QueryBenchmark.Options o =
        new QueryBenchmark.Options(
            db.jdbcUrl(),
            db.user(),
            db.password(),
            3,
            2,
            100,
            Duration.ofMillis(500),
            List.of(1, 2));
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    QueryBenchmark.LoadResult first = QueryBenchmark.load(o, quiet);
    QueryBenchmark.LoadResult second = QueryBenchmark.load(o, quiet);
    QueryBenchmark.Result result = QueryBenchmark.run(o, quiet);

    assertThat(first.alreadyLoaded()).isFalse();
    assertThat(first.rollupRows()).isEqualTo(3 * 3 * 48);
    assertThat(first.rawEvents()).isEqualTo(100);
    assertThat(second.alreadyLoaded()).isTrue();
    assertThat(second.rollupRows()).isZero();
    try (Connection c = db.connect()) {
      assertThat(
              Sql.tuples(
                  c,
                  "SELECT count(*) AS n, count(DISTINCT organization_id) AS orgs, min(window_start)"
                      + " = date_trunc('hour', now()) - interval '48 hours' AS first,"
                      + " max(window_start) = date_trunc('hour', now()) - interval '1 hour' AS last"
                      + " FROM agent_rollups_hourly"))
          .containsExactly(List.of(144L, 3L, true, true));
      assertThat(
              Sql.tuples(
                  c,
                  "SELECT (SELECT count(*) FROM tasks) AS t, (SELECT count(*) FROM agent_tasks) AS a,"
                      + " (SELECT count(*) FROM integration_events) AS i,"
                      + " (SELECT count(*) FROM organizations WHERE id = ?::uuid) AS o",
                  QueryBenchmark.organization(2)))
          .containsExactly(List.of(10L, 10L, 80L, 1L));
    }
    assertThat(result.stats()).hasSize(9 * 2);
    assertThat(result.stats().get(0).query())
        .isEqualTo("reference: SELECT 1 (same connection, same setting)");
    assertThat(result.stats())
        .extracting(QueryBenchmark.QueryStats::clients)
        .startsWith(1, 2, 1, 2);
    for (QueryBenchmark.QueryStats s : result.stats()) {
      assertThat(s.calls()).as(s.query()).isPositive();
      assertThat(s.distribution().stream().mapToLong(QueryBenchmark.Point::count).sum())
          .as(s.query())
          .isEqualTo(s.calls());
    }
  }

  @Test
  void shouldRefuseMoreClientsThanPostgresHasFreeConnectionsForBesidesTheSpare(TestDatabase db) {
    Sql.migrate(db);
    QueryBenchmark.Options o =
        new QueryBenchmark.Options(
            db.jdbcUrl(),
            db.user(),
            db.password(),
            2,
            1,
            0,
            Duration.ofMillis(50),
            List.of(1, 500));
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    QueryBenchmark.load(o, quiet);

    assertThatThrownBy(() -> QueryBenchmark.run(o, quiet))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "Invalid value 500 for configuration clients: needs 500 connections plus 10 spare for"
                + " the pipeline, but PostgreSQL has ")
        .hasMessageMatching("(?s).* free \\(max_connections \\d+\\)");
  }
}
