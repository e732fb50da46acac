package dev.hourglass.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueryBenchmarkTest {

  @Test
  void shouldReportEveryInvalidOptionAtOnce() {
    assertThatThrownBy(
            () ->
                new QueryBenchmark.Options(
                    "jdbc:mysql://h/db", "u", "p", 0, 30, -1, Duration.ZERO, List.of(1, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid value jdbc:mysql://h/db for configuration jdbcUrl: must start with"
                + " jdbc:postgresql:; Invalid value 0 for configuration organizations: must be at"
                + " least 1; Invalid value -1 for configuration rawEvents: must not be negative;"
                + " Invalid value PT0S for configuration perClientCount: must be at least 1 ms;"
                + " Invalid value [1, 0] for configuration clients: must be a non-empty list of"
                + " counts >= 1");
  }

  @Test
  void shouldRefuseANegativeThinkTimeAndOfferSessionsOverThinkTime() {
    QueryBenchmark.Options base =
        QueryBenchmark.Options.defaults("jdbc:postgresql://h/db", "u", "p", 0);

    assertThatThrownBy(
            () -> new PooledQueryBenchmark.Options(base, List.of(1), 1, 0, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value PT-0.001S for configuration thinkTime: must not be negative");
    PooledQueryBenchmark.Options thinking =
        new PooledQueryBenchmark.Options(base, List.of(1000), 20, 0, Duration.ofSeconds(10));
    assertThat(thinking.offeredPerSecond(1000)).isEqualTo(100.0);
    assertThat(PooledQueryBenchmark.thinkTime(thinking, 1000))
        .isEqualTo("think time exponential, mean PT10S: 1000 sessions offer 100.0 calls/s");
    assertThat(
            new PooledQueryBenchmark.Options(base, List.of(1000), 20, 0, Duration.ZERO)
                .offeredPerSecond(1000))
        .isInfinite();
  }

  @Test
  void shouldMaskThePassword() {
    assertThat(QueryBenchmark.Options.defaults("jdbc:postgresql://h/db", "u", "secret", 0))
        .hasToString(
            "Options[jdbcUrl=jdbc:postgresql://h/db, user=u, password=<masked>,"
                + " organizations=1000, days=30, rawEvents=0, perClientCount=PT10S,"
                + " clients=[1, 8, 32]]");
  }

  @Test
  void shouldNameOrganizationsAsPostgresMd5Uuids() {
    // SELECT md5('hourglass-bench-org-0')::uuid
    assertThat(QueryBenchmark.organization(0)).isEqualTo("64f77540-575b-287e-f860-2cb0e8239e80");
  }
}
