package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final Predicate<String> KNOWN =
      Set.of("bootstrap.servers", "jdbc.url", "jdbc.password")::contains;

  @Test
  void shouldLetEnvironmentOverrideFile(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("h.properties"), "bootstrap.servers=file:9092\n");
    Map<String, String> merged =
        ConfigLoader.load(
            file, Map.of("HOURGLASS_BOOTSTRAP_SERVERS", "env:9092", "PATH", "/bin"), KNOWN);
    assertThat(merged).containsExactly(Map.entry("bootstrap.servers", "env:9092"));
  }

  @Test
  void shouldIgnoreTestBackendVariables() {
    assertThat(ConfigLoader.load(null, Map.of("HOURGLASS_TEST_BACKEND", "embedded"), KNOWN))
        .isEmpty();
  }

  @Test
  void shouldNameEveryUnknownKeyAndWhereItCameFrom(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("h.properties"), "bootstrap.server=x\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("HOURGLASS_JDBC_URI", "jdbc:x"), KNOWN))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Unknown configuration key bootstrap.server in "
                + file
                + "\nUnknown configuration key jdbc.uri in environment variable HOURGLASS_JDBC_URI");
  }

  @Test
  void shouldMapKeysToEnvironmentNamesBothWays() {
    assertThat(ConfigLoader.envOf("num.stream.threads")).isEqualTo("HOURGLASS_NUM_STREAM_THREADS");
    assertThat(ConfigLoader.keyOf("HOURGLASS_NUM_STREAM_THREADS")).isEqualTo("num.stream.threads");
  }

  @Test
  void shouldMaskPasswordsWhenDescribed() {
    assertThat(ConfigLoader.describe(Map.of("jdbc.password", "s3cret", "jdbc.url", "jdbc:pg")))
        .isEqualTo("  jdbc.password = <masked>\n  jdbc.url = jdbc:pg\n");
  }
}
