package dev.hourglass.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Topic names are declared once, in {@link Topics} and {@link Family}: every module's {@code
 * src/main/java} is searched for string literals that spell one out ({@link TopicLiterals} says
 * which literals count), and the build fails naming file and line of each.
 */
class TopicNamesDeclaredOnceTest {

  /** Where the names are declared. */
  private static final Set<String> CONTRACT =
      Set.of("avro/src/main/java/dev/hourglass/contract/Topics.java");

  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

  @Test
  void shouldFindNoTopicNameSpelledOutOutsideTheContract() throws IOException {
    Path root = projectRoot();
    List<String> offenders = new ArrayList<>();
    for (Path file : mainSources(root)) {
      String relative = root.relativize(file).toString().replace('\\', '/');
      if (CONTRACT.contains(relative)) {
        continue;
      }
      String source = Files.readString(file, StandardCharsets.UTF_8);
      for (TopicLiterals.Found f : TopicLiterals.find(source, Topics.BASES)) {
        offenders.add(relative + ":" + f.line() + ": \"" + f.literal() + "\"");
      }
    }
    assertThat(offenders)
        .as(
            "topic names spelled out outside the contract; read them from"
                + " dev.hourglass.contract.Topics (docs/contracts.md, \"Topics\")")
        .isEmpty();
  }

  @Test
  void shouldFlagPrefixedConcatenatedAndHyphenatedNames() {
    String source =
        """
        class A {
          String a = prefix + "rollups";
          String b = "hourglass.alerts";
          List<String> c = List.of("x", "dead-letters");
          String d = "stats"
              + suffix;
          String e = "bench.task-events";
          static final String ALERTS = "alerts";
        }
        """;

    assertThat(TopicLiterals.find(source, Topics.BASES))
        .containsExactly(
            new TopicLiterals.Found(2, "rollups"),
            new TopicLiterals.Found(3, "hourglass.alerts"),
            new TopicLiterals.Found(4, "dead-letters"),
            new TopicLiterals.Found(5, "stats"),
            new TopicLiterals.Found(7, "bench.task-events"),
            new TopicLiterals.Found(8, "alerts"));
  }

  @Test
  void shouldNotFlagTablesNodesFieldsLogTextOrComments() {
    String source =
        """
        /** Reads {@code task-events}; writes prefix + "rollups". */
        class B {
          // prefix + "alerts"
          String table = "task_rollups_hourly";
          String sql = "SELECT count(*) FROM alerts";
          String node = f + "-dead-letters-sink";
          String quote = '"' + "x";
          String log = "stats topic " + topic + " not read";
          @Command(name = "alerts") class C {}
          void d() { report.data("stats", 1); }
          boolean same = kind == "rollups";
          Map<String, Integer> widths = Map.of("alerts", 6);
          String escaped = "say \\"rollups\\"" + x;
          /* "agent-events" */
        }
        """;

    assertThat(TopicLiterals.find(source, Topics.BASES)).isEmpty();
  }

  /** The directory whose pom.xml lists the modules (Surefire runs in the avro module's). */
  private static Path projectRoot() throws IOException {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path pom = dir.resolve("pom.xml");
      if (Files.isRegularFile(pom) && Files.readString(pom).contains("<module>avro</module>")) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "no pom.xml listing the avro module above " + Path.of("").toAbsolutePath());
  }

  private static List<Path> mainSources(Path root) throws IOException {
    Matcher m = MODULE.matcher(Files.readString(root.resolve("pom.xml")));
    List<Path> files = new ArrayList<>();
    while (m.find()) {
      Path java = root.resolve(m.group(1).trim()).resolve("src/main/java");
      if (Files.isDirectory(java)) {
        try (Stream<Path> walk = Files.walk(java)) {
          walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
        }
      }
    }
    assertThat(files).as("Java sources under " + root).isNotEmpty();
    return files;
  }
}
