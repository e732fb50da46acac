package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.config.ConfigException;
import dev.hourglass.config.Declarations;
import dev.hourglass.contract.Topics;
import dev.hourglass.producer.PublisherConfig;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configuration key is written one way everywhere: every key a Markdown file or
 * docker-compose.yml names in code font is one the configuration engine knows (declared, under an
 * open prefix, or refused with a reason such as a rename), and no file shortens a key (writing
 * {@code alerts.format} for {@code streams.alerts.format}). Kafka's own settings are not ours and
 * pass.
 */
class ConfigKeysNamedOnceTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final List<Declarations> ENGINE =
      List.of(Settings.ALL, PublisherConfig.DECLARATIONS);
  private static final Set<String> OUR_NAMESPACES = Set.of("sink", "streams", "topics", "topic");

  /** Text in code font; a key is its part before {@code =} or a space. */
  private static final Pattern CODE = Pattern.compile("`([^`\\n]+)`");

  private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_-]*(\\.[a-z0-9_<>*-]+)+");

  @Test
  void shouldNameEveryConfigurationKeyAsTheEngineDeclaresIt() throws IOException {
    List<Path> files = new ArrayList<>(MarkdownLinksTest.markdownFiles(ROOT));
    files.add(ROOT.resolve("docker-compose.yml"));

    assertThat(problems(files, declaredKeys(), kafkaNames())).isEmpty();
  }

  @Test
  void shouldReportAShortenedKeyAndAnUnknownOneWithFileAndLine(@TempDir Path dir)
      throws IOException {
    Path doc =
        Files.writeString(
            dir.resolve("a.md"),
            String.join(
                "\n",
                "Set `streams.alerts.format=json`; `streams.grace` was renamed.",
                "With `alerts.format=json` and `sink.batch.sizes`, `batch.size` is Kafka's.",
                "```",
                "not code font here: alerts.format",
                ""));

    assertThat(problems(List.of(doc), declaredKeys(), kafkaNames()))
        .containsExactly(
            "a.md:2: alerts.format is not a key; write streams.alerts.format",
            "a.md:2: sink.batch.sizes is not a key the configuration engine knows");
  }

  /** Every misnamed key in {@code files}, as {@code file:line: why}. */
  static List<String> problems(List<Path> files, Set<String> declared, Set<String> kafka)
      throws IOException {
    List<String> out = new ArrayList<>();
    for (Path file : files) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        Matcher code = CODE.matcher(lines.get(i));
        while (code.find()) {
          // A placeholder names one thing, spaces and all: <any topic config>.
          String key = code.group(1).replaceAll("<[^>]*>", "<x>").split("[= ]", 2)[0];
          if (!KEY.matcher(key).matches() || kafka.contains(key) || known(key)) {
            continue;
          }
          String where = file.getFileName() + ":" + (i + 1) + ": " + key;
          if (OUR_NAMESPACES.contains(key.substring(0, key.indexOf('.')))) {
            out.add(where + " is not a key the configuration engine knows");
          } else {
            declared.stream()
                .filter(d -> d.endsWith("." + key))
                .findFirst()
                .ifPresent(full -> out.add(where + " is not a key; write " + full));
          }
        }
      }
    }
    return out;
  }

  /**
   * Whether the engine accepts or names {@code key}: declared, under an open prefix, or refused
   * with a reason. A placeholder stands for a topic or a setting ({@code topics.<topic>.<config>}),
   * and a trailing {@code *} for a family of keys ({@code topics.*}).
   */
  private static boolean known(String key) {
    if (key.endsWith("*")) {
      String stem = key.substring(0, key.length() - 1);
      return declaredKeys().stream().anyMatch(d -> d.startsWith(stem))
          || ENGINE.stream()
              .anyMatch(d -> d.openNames().stream().anyMatch(n -> n.startsWith(stem)));
    }
    String concrete =
        key.replaceFirst("^topics\\.<x>\\.", "topics." + Topics.BASES.get(0) + ".")
            .replace("<x>", "retention.ms");
    for (Declarations declarations : ENGINE) {
      try {
        declarations.parse(Map.of(concrete, "1"));
        return true;
      } catch (ConfigException e) {
        if (!e.getMessage().contains("for configuration " + concrete + ": unknown key")) {
          return true;
        }
      }
    }
    return false;
  }

  private static Set<String> declaredKeys() {
    Set<String> keys = new TreeSet<>();
    ENGINE.forEach(d -> keys.addAll(d.definition().names()));
    return keys;
  }

  /** The settings of Kafka's clients, Streams and topics: their names are Kafka's, not ours. */
  private static Set<String> kafkaNames() {
    Set<String> names = new HashSet<>();
    names.addAll(ProducerConfig.configNames());
    names.addAll(ConsumerConfig.configNames());
    names.addAll(AdminClientConfig.configNames());
    names.addAll(StreamsConfig.configDef().names());
    for (Field field : TopicConfig.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getName().endsWith("_CONFIG")) {
        try {
          names.add((String) field.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return names;
  }
}
