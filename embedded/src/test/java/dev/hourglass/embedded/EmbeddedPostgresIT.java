package dev.hourglass.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

  @Test
  void shouldStopAServerLeftRunningByAKilledProcessInsteadOfAdoptingIt(@TempDir Path dir)
      throws Exception {
    Path data = dir.resolve("pg");
    Process jvm =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElseThrow(),
                "-cp",
                System.getProperty("java.class.path"),
                OrphaningPostgres.class.getName(),
                data.toString())
            .redirectErrorStream(true)
            .start();
    String[] ready = readyLine(jvm);
    int port = Integer.parseInt(ready[1]);
    long orphanPid = Long.parseLong(ready[2]);
    jvm.destroyForcibly().waitFor();
    assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive)).contains(true);

    try (EmbeddedPostgres restarted =
            EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(data, port));
        Connection c = restarted.dataSource("postgres").getConnection();
        Statement s = c.createStatement()) {
      assertThat(ProcessHandle.of(orphanPid).filter(ProcessHandle::isAlive)).isEmpty();
      assertThat(restarted.serverPid()).isNotEqualTo(orphanPid);
      assertThat(single(s, "SELECT pg_backend_pid() > 0")).isEqualTo("t");
    }
  }

  private static String[] readyLine(Process jvm) throws java.io.IOException {
    var out = new java.io.BufferedReader(new java.io.InputStreamReader(jvm.getInputStream()));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith("READY ")) {
        return line.split(" ");
      }
    }
    throw new AssertionError("the JVM that starts PostgreSQL ended before it was ready");
  }

  @Test
  void shouldRefuseADataDirectoryWhoseServerALiveProcessRuns(@TempDir Path dir) {
    Path data = dir.resolve("pg");
    try (EmbeddedPostgres running =
        EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(data, 0))) {
      assertThatThrownBy(
              () ->
                  EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(data, running.port())))
          .isInstanceOf(EmbeddedServerException.class)
          .hasMessage(
              "PostgreSQL (pid "
                  + running.serverPid()
                  + ") is already running on data directory "
                  + data.resolve("pgdata")
                  + " for process "
                  + ProcessHandle.current().pid()
                  + " (this one); stop that process, or use another data directory");
    }
  }

  private static String single(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as("a row from %s", sql).isTrue();
      return rs.getString(1);
    }
  }
}
