package dev.hourglass.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BackendChoiceTest {

  @Test
  void shouldDefaultToAutoWhenNothingIsSet() {
    assertThat(BackendChoice.fromEnvironment(Map.of()).kind()).isEqualTo(BackendChoice.Kind.AUTO);
  }

  @Test
  void shouldAcceptKindsInAnyCase() {
    assertThat(BackendChoice.fromEnvironment(Map.of("HOURGLASS_TEST_BACKEND", "Embedded")).kind())
        .isEqualTo(BackendChoice.Kind.EMBEDDED);
  }

  @Test
  void shouldRejectUnknownKindNamingTheVariable() {
    assertThatThrownBy(
            () -> BackendChoice.fromEnvironment(Map.of("HOURGLASS_TEST_BACKEND", "docker")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid value docker for HOURGLASS_TEST_BACKEND: must be one of auto, embedded,"
                + " testcontainers, external");
  }

  @Test
  void shouldReportEveryMissingExternalSettingAtOnce() {
    assertThatThrownBy(
            () -> BackendChoice.fromEnvironment(Map.of("HOURGLASS_TEST_BACKEND", "external")))
        .hasMessage(
            "HOURGLASS_TEST_KAFKA must name host:port when HOURGLASS_TEST_BACKEND=external;"
                + " Invalid value null for HOURGLASS_TEST_DB: must be a jdbc:postgresql:// URL"
                + " when HOURGLASS_TEST_BACKEND=external");
  }

  @Test
  void shouldReadCredentialsOfExternalDatabaseFromUrl() {
    ExternalBackend backend =
        new ExternalBackend(
            "broker:9092", "jdbc:postgresql://db.example:6543/?user=ci&password=secret");
    assertThat(backend.jdbcUrl("t_1")).isEqualTo("jdbc:postgresql://db.example:6543/t_1");
    assertThat(backend.user()).isEqualTo("ci");
    assertThat(backend.password()).isEqualTo("secret");
    assertThat(backend.describe())
        .isEqualTo("external (Kafka broker:9092, PostgreSQL db.example:6543 as ci)")
        .doesNotContain("secret");
  }
}
