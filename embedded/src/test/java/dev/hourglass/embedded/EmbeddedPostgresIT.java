package dev.hourglass.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@HourglassIT
class EmbeddedPostgresIT {

  @Test
  void shouldRunPostgres18WithTrigramCryptoAndStatementStatistics(TestDatabase db)
      throws SQLException {
    try (Connection c = db.connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION pg_trgm");
      s.execute("CREATE EXTENSION pgcrypto");
      s.execute("CREATE EXTENSION pg_stat_statements");

      assertThat(single(s, "SELECT current_setting('server_version_num')::int / 10000"))
          .isEqualTo("18");
      assertThat(single(s, "SELECT similarity('hourglass', 'hourglas')::numeric(4,3)"))
          .isEqualTo("0.727");
      assertThat(single(s, "SELECT encode(digest('hourglass', 'sha256'), 'hex')"))
          .isEqualTo("af20a4cdb149e87bd038f3abdb309393a087c451718d7927780afe6e80c8279a");
      s.execute("SELECT 42 AS answer");
      assertThat(
              single(
                  s, "SELECT count(*) FROM pg_stat_statements WHERE query = 'SELECT $1 AS answer'"))
          .isEqualTo("1");
    }
  }

  @Test
  void shouldKeepDataAcrossRestartOnSameDataDirectory(@TempDir Path dir) throws SQLException {
    Path data = dir.resolve("pg");
    int port;
    try (EmbeddedPostgres first =
        EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(data, 0))) {
      port = first.port();
      first.createDatabase("durable");
      try (Connection c = first.dataSource("durable").getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE kept (id int PRIMARY KEY, note text)");
        s.execute("INSERT INTO kept VALUES (1, 'before restart'), (2, 'also kept')");
      }
    }

    try (EmbeddedPostgres second =
            EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(data, port));
        Connection c = second.dataSource("durable").getConnection();
        Statement s = c.createStatement()) {
      assertThat(second.port()).isEqualTo(port);
      assertThat(single(s, "SELECT string_agg(note, ',' ORDER BY id) FROM kept"))
          .isEqualTo("before restart,also kept");
    }
  }

  private static String single(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as("a row from %s", sql).isTrue();
      return rs.getString(1);
    }
  }
}
