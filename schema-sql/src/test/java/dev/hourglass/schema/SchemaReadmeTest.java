package dev.hourglass.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The module's README describes the migrations that are packaged, all of them and no others. */
class SchemaReadmeTest {
  private static final Path README = Path.of("README.md");
  private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");
  private static final Pattern ROW = Pattern.compile("^\\| `(V\\d+__\\w+)`");

  @Test
  void shouldListEveryPackagedMigrationInTheMigrationsTable() throws IOException {
    List<String> listed;
    try (Stream<String> lines = Files.lines(README, StandardCharsets.UTF_8)) {
      listed = lines.map(ROW::matcher).filter(Matcher::find).map(m -> m.group(1)).sorted().toList();
    }
    List<String> packaged;
    try (Stream<Path> files = Files.list(MIGRATIONS)) {
      packaged =
          files
              .map(f -> f.getFileName().toString())
              .filter(n -> n.matches("V\\d+__\\w+\\.sql"))
              .map(n -> n.substring(0, n.length() - ".sql".length()))
              .sorted()
              .toList();
    }

    assertThat(packaged).hasSize(Migrations.COUNT);
    assertThat(listed).isEqualTo(packaged);
  }

  @Test
  void shouldShowTheLatestVersionAsTheCurrentOne() throws IOException {
    String readme = Files.readString(README, StandardCharsets.UTF_8);

    assertThat(readme).contains("r.currentVersion(): \"" + Migrations.LATEST_VERSION + "\"");
  }
}
