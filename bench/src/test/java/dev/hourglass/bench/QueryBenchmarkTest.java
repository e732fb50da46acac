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
