package dev.hourglass.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourcesTest {

  @Test
  void shouldLetTheEnvironmentOverrideTheFile(@TempDir Path dir) throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("h.properties"), "bootstrap.servers=file:9092\njdbc.user = sink \n");

    Map<String, String> merged =
        Sources.read(file, Map.of("HOURGLASS_BOOTSTRAP_SERVERS", "env:9092", "PATH", "/bin"));

    assertThat(merged)
        .containsExactly(
            Map.entry("bootstrap.servers", "env:9092"), Map.entry("jdbc.user", "sink"));
  }

  @Test
  void shouldIgnoreTheTestBackendAndLauncherVariables() {
    assertThat(
            Sources.read(
                null,
                Map.of(
                    "HOURGLASS_TEST_BACKEND", "embedded",
                    "HOURGLASS_JAVA_OPTS", "-Xmx2g",
                    "HOURGLASS_STREAMS_GRACE_MS", "1000")))
        .containsExactly(Map.entry("streams.grace.ms", "1000"));
  }

  @Test
  void shouldNameAFileItCannotRead(@TempDir Path dir) {
    Path missing = dir.resolve("missing.properties");

    assertThatThrownBy(() -> Sources.read(missing, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Cannot read configuration file "
                + missing
                + ": java.nio.file.NoSuchFileException: "
                + missing);
  }

  @Test
  void shouldMapKeysToVariablesBothWays() {
    assertThat(Sources.variableOf("sink.batch.size")).isEqualTo("HOURGLASS_SINK_BATCH_SIZE");
    assertThat(Sources.keyOf("HOURGLASS_SINK_BATCH_SIZE")).isEqualTo("sink.batch.size");
  }
}
