package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.embedded.HourglassIT;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code hourglass migrate --logins}, the operator's bootstrap that docker-compose.yml runs: the
 * superuser only creates roles and logins, the migrator owns what it migrates, and the sink's login
 * writes but cannot create objects.
 */
@HourglassIT
class MigrateLoginsIT {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int migrate(Path settings, Path logins) {
    CommandLine cli = Hourglass.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute("migrate", "-c", settings.toString(), "--logins", logins.toString());
  }

  @Test
  void shouldMigrateAsTheMigratorAndCreateTheSinksLogin(@TempDir Path dir)
      throws IOException, SQLException {
    try (EmbeddedPostgres pg = EmbeddedPostgres.start(EmbeddedPostgres.Options.temporary())) {
      pg.createDatabase("hourglass");
      String url = pg.jdbcUrl("hourglass");
      Path settings = settings(dir, url, pg);
      Path logins = Files.createDirectories(dir.resolve("logins"));
      Files.writeString(logins.resolve("hourglass_migrator.password"), "migrator-secret\n");
      Files.writeString(logins.resolve("hourglass_sink.password"), "sink-secret\n");

      assertThat(migrate(settings, logins)).as(err.toString()).isZero();
      // A second run changes nothing and still succeeds: compose runs it on every `up`.
      assertThat(migrate(settings, logins)).as(err.toString()).isZero();

      try (Connection owner =
              DriverManager.getConnection(url, "hourglass_migrator", "migrator-secret");
          Statement s = owner.createStatement();
          ResultSet r =
              s.executeQuery(
                  "SELECT count(*) FILTER (WHERE c.relowner <> 'hourglass_owner'::regrole),"
                      + " (SELECT tableowner FROM pg_tables WHERE tablename = 'flyway_schema_history')"
                      + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                      + " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')"
                      + " AND c.relname NOT LIKE 'pg_stat_statements%'")) {
        r.next();
        assertThat(r.getLong(1)).as("tables and views not owned by hourglass_owner").isZero();
        assertThat(r.getString(2)).isEqualTo("hourglass_owner");
      }
      try (Connection sink = DriverManager.getConnection(url, "hourglass_sink", "sink-secret");
          Statement s = sink.createStatement()) {
        try (ResultSet r = s.executeQuery("SELECT count(*) FROM sink_offsets")) {
          r.next();
          assertThat(r.getLong(1)).isZero();
        }
        assertThatThrownBy(() -> s.execute("CREATE TABLE intruder (id int)"))
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("permission denied for schema public");
      }
    }
    assertThat(out.toString())
        .contains("as hourglass_migrator; schema version")
        .contains("logins hourglass_migrator, hourglass_sink");
  }

  @Test
  void shouldRefuseToStartWithoutEveryLoginsPassword(@TempDir Path dir) throws IOException {
    try (EmbeddedPostgres pg = EmbeddedPostgres.start(EmbeddedPostgres.Options.temporary())) {
      pg.createDatabase("hourglass");
      String url = pg.jdbcUrl("hourglass");
      Path logins = Files.createDirectories(dir.resolve("logins"));
      Files.writeString(logins.resolve("hourglass_migrator.password"), "migrator-secret\n");

      assertThat(migrate(settings(dir, url, pg), logins)).isEqualTo(Hourglass.USAGE);

      assertThat(err.toString())
          .contains("cannot read hourglass_sink's password from")
          .contains("hourglass_sink.password");
    }
  }

  private static Path settings(Path dir, String url, EmbeddedPostgres pg) throws IOException {
    return Files.writeString(
        dir.resolve("migrate.properties"),
        String.join(
            "\n",
            "jdbc.url=" + url,
            "jdbc.user=" + EmbeddedPostgres.SUPERUSER,
            "jdbc.password.file=" + pg.superuserPasswordFile()));
  }
}
