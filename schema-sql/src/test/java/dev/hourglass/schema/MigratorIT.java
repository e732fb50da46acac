package dev.hourglass.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

@HourglassIT
class MigratorIT {

  @Test
  void shouldMigrateEmptyDatabaseToLatestVersion(TestDatabase db) throws SQLException {
    MigrationResult result = Migrator.forUrl(db.jdbcUrl(), db.user(), db.password()).migrate();

    assertThat(result.applied()).isEqualTo(Migrations.COUNT);
    assertThat(result.currentVersion()).isEqualTo(Migrations.LATEST_VERSION);
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM flyway_schema_history WHERE success AND version IS NOT NULL")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(Migrations.COUNT);
    }
  }

  @Test
  void shouldApplyNothingWhenMigratedAgain(TestDatabase db) {
    Migrator migrator = Migrator.forUrl(db.jdbcUrl(), db.user(), db.password());
    migrator.migrate();

    MigrationResult again = Migrator.forUrl(db.jdbcUrl(), db.user(), db.password()).migrate();

    assertThat(again).isEqualTo(new MigrationResult(0, Migrations.LATEST_VERSION));
    migrator.validate();
  }

  @Test
  void shouldNameUrlWithoutPasswordWhenDatabaseIsUnreachable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/nowhere?password=secret42";

    assertThatThrownBy(() -> Migrator.forUrl(url, "someone", "secret42").migrate())
        .isInstanceOf(MigrationException.class)
        .hasMessageStartingWith(
            "Cannot migrate jdbc:postgresql://127.0.0.1:"
                + closedPort
                + "/nowhere?password=<masked>: database unreachable: ")
        .hasMessageNotContaining("secret42");
  }

  @Test
  void shouldNameFailingMigration(TestDatabase db) throws SQLException {
    Flyway.configure()
        .dataSource(db.jdbcUrl(), db.user(), db.password())
        .target("1")
        .load()
        .migrate();
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      // Collides with the second migration's table.
      s.execute("CREATE TABLE projects (id int)");
    }

    assertThatThrownBy(() -> Migrator.forUrl(db.jdbcUrl(), db.user(), db.password()).migrate())
        .isInstanceOf(MigrationException.class)
        .hasMessageStartingWith(
            "Cannot migrate "
                + db.jdbcUrl()
                + ": migration V2__projects_repositories.sql failed (SQLSTATE 42P07): ")
        .hasMessageContaining("relation \"projects\" already exists")
        .satisfies(
            e ->
                assertThat(((MigrationException) e).migration())
                    .contains("V2__projects_repositories.sql"));
  }
}
