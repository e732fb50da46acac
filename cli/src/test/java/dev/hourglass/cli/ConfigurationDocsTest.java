package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.config.Declarations;
import dev.hourglass.producer.PublisherConfig;
import dev.hourglass.sink.SinkConfig;
import dev.hourglass.streams.ProcessorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

/**
 * The configuration tables of the READMEs say what the declarations say: every declared key is in
 * its table with its default, and every key in a table is declared. One key per row; the default
 * cell starts with the declared value ({@code (required)} when there is none, {@code empty} for the
 * empty string), optionally followed by a gloss in parentheses.
 */
class ConfigurationDocsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void shouldDocumentEveryKeyOfTheExecutableInTheReadme() throws IOException {
    assertThat(table("README.md", "## Configuration")).isEqualTo(documented(Settings.ALL));
  }

  @Test
  void shouldDocumentThePublisherSettingsInTheProducerReadme() throws IOException {
    assertThat(table("producer/README.md", "### Configuration (`PublisherConfig"))
        .isEqualTo(documented(PublisherConfig.DECLARATIONS));
  }

  @Test
  void shouldDocumentTheProcessorSettingsInItsReadme() throws IOException {
    assertThat(table("streams-processor/README.md", "## Configuration"))
        .isEqualTo(documented(ProcessorConfig.DECLARATIONS));
  }

  @Test
  void shouldDocumentTheSinkSettingsInItsReadme() throws IOException {
    assertThat(table("sink/README.md", "## Configuration"))
        .isEqualTo(documented(SinkConfig.DECLARATIONS));
  }

  /** Key to default, as the declarations would write them in a table. */
  private static Map<String, String> documented(Declarations declarations) {
    Map<String, String> keys = new TreeMap<>();
    declarations
        .definition()
        .configKeys()
        .values()
        .forEach(key -> keys.put(key.name, defaultText(key)));
    declarations.openNames().forEach(name -> keys.put(name, ""));
    return keys;
  }

  private static String defaultText(ConfigDef.ConfigKey key) {
    if (!key.hasDefault()) {
      return "(required)";
    }
    Object value =
        key.defaultValue instanceof Password password ? password.value() : key.defaultValue;
    String text = ConfigDef.convertToString(value, key.type);
    return text.isEmpty() ? "empty" : text;
  }

  /** Key to default of the first table after {@code heading} in {@code file}. */
  private static Map<String, String> table(String file, String heading) throws IOException {
    List<String> lines = Files.readAllLines(ROOT.resolve(file));
    int at = 0;
    while (!lines.get(at).startsWith(heading)) {
      at++;
    }
    while (!lines.get(at).startsWith("| key |")) {
      at++;
    }
    Map<String, String> keys = new TreeMap<>();
    for (at += 2; at < lines.size() && lines.get(at).startsWith("|"); at++) {
      String[] cells = lines.get(at).split("\\|");
      String key = cells[1].trim();
      assertThat(key).as("one key per row in %s", file).matches("`[^`]+`");
      keys.put(key.replace("`", ""), leading(cells[2]));
    }
    return keys;
  }

  /** The value a default cell starts with: {@code `600000` (10 min)} is {@code 600000}. */
  private static String leading(String cell) {
    String text = cell.trim();
    if (text.startsWith("(required)")) {
      return "(required)";
    }
    return text.split(" \\(", 2)[0].replace("`", "").trim();
  }
}
