package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hourglass.embedded.EmbeddedKafka;
import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.schema.PhysicalBackup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Point-in-time recovery: a backup, a second load, a moment T once it is in PostgreSQL, a third
 * load, the server lost. Restored from the backup and the WAL archive to T, the database holds
 * exactly what was committed up to T (the same rows and the same {@code sink_offsets}); the sink
 * then resumes from those offsets, replays the third load from Kafka, and every rollup row equals
 * its recomputation from the ledgers.
 */
class PointInTimeRecoveryIT {
  /** The tables the sink writes, whose row counts at T the recovery must reproduce exactly. */
  private static final List<String> TABLES =
      List.of(
          "integration_events",
          "task_executions",
          "agent_tasks",
          "task_rollups_hourly",
          "agent_rollups_hourly",
          "integration_rollups_hourly",
          "alerts",
          "dead_letters");

  /** Row counts of {@link #TABLES} and the stored offsets, read in one snapshot. */
  record Contents(Map<String, Long> rows, Map<String, Long> offsets) {}

  @Test
  void shouldRecoverToTheChosenMomentAndReplayTheRestFromKafka(@TempDir Path dir) throws Exception {
    Path archive = dir.resolve("wal-archive");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.temporary())) {
      EmbeddedPostgres pg =
          EmbeddedPostgres.start(EmbeddedPostgres.Options.archiving(dir.resolve("pg"), 0, archive));
      EmbeddedPostgres restored = null;
      try {
        pg.createDatabase(LocalCommand.DATABASE);
        Settings settings =
            new Settings(
                Map.of(
                    "bootstrap.servers",
                    kafka.bootstrapServers(),
                    "jdbc.url",
                    pg.jdbcUrl(LocalCommand.DATABASE),
                    "jdbc.user",
                    EmbeddedPostgres.SUPERUSER,
                    "jdbc.password.file",
                    pg.superuserPasswordFile().toString()));
        try (Pipeline pipeline = new Pipeline(settings, dir)) {
          pipeline.books(pipeline.send(1, 2_000));
          Contents atBackup = contents(pipeline);
          PhysicalBackup.Result backup =
              PhysicalBackup.take(
                  pipeline.jdbcUrl,
                  EmbeddedPostgres.SUPERUSER,
                  pipeline.password,
                  dir.resolve("pg").resolve("pgdata"),
                  dir.resolve("backup"));

          pipeline.books(pipeline.send(2, 1_000));
          // T: the second load is in PostgreSQL and the sink idle; nothing commits until load 3.
          Contents atT = contents(pipeline);
          Instant t = serverTime(pipeline);
          pipeline.books(pipeline.send(3, 1_000));
          Contents atEnd = contents(pipeline);
          assertThat(atT.offsets()).isNotEqualTo(atBackup.offsets()).isNotEqualTo(atEnd.offsets());
          assertThat(t).isAfter(backup.stopTime());
          // The segment holding the third load is archived, as archive_timeout would do.
          archiveCurrentSegment(pipeline);

          // The server is lost; the sink is stopped until the recovery is checked.
          pipeline.stopSink();
          int port = pg.port();
          Path passwordFile = pg.superuserPasswordFile();
          pg.close();
          pg = null;
          PhysicalBackup.restore(
              dir.resolve("backup"),
              dir.resolve("pg2").resolve("pgdata"),
              new PhysicalBackup.Recovery(archive, t));
          Files.copy(
              passwordFile,
              dir.resolve("pg2").resolve(passwordFile.getFileName()),
              StandardCopyOption.COPY_ATTRIBUTES);
          restored =
              EmbeddedPostgres.start(
                  EmbeddedPostgres.Options.archiving(dir.resolve("pg2"), port, archive));
          // The server accepts reads while it replays; it is promoted once it reached T.
          await()
              .atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofMillis(200))
              .until(() -> !inRecovery(pipeline));

          assertThat(contents(pipeline)).isEqualTo(atT);

          pipeline.startSink();
          Summary summary = pipeline.books(pipeline.send(4, 500));
          assertThat(summary.sent().acknowledged()).isEqualTo(4_500);
          assertThat(summary.mismatches()).as("rows that differ from the ledgers").isEmpty();
          assertThat(summary.balanced()).isTrue();
        }
      } finally {
        if (pg != null) {
          pg.close();
        }
        if (restored != null) {
          restored.close();
        }
      }
    }
  }

  private static Connection connect(Pipeline pipeline) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", EmbeddedPostgres.SUPERUSER);
    props.setProperty("password", pipeline.password);
    return DriverManager.getConnection(pipeline.jdbcUrl, props);
  }

  private static Contents contents(Pipeline pipeline) throws SQLException {
    try (Connection c = connect(pipeline)) {
      // One snapshot for every count and offset.
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      Map<String, Long> rows = new TreeMap<>();
      Map<String, Long> offsets = new TreeMap<>();
      try (Statement s = c.createStatement()) {
        for (String table : TABLES) {
          try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            rows.put(table, rs.getLong(1));
          }
        }
        try (ResultSet rs =
            s.executeQuery("SELECT topic, partition, next_offset FROM sink_offsets")) {
          while (rs.next()) {
            offsets.put(rs.getString(1) + "-" + rs.getInt(2), rs.getLong(3));
          }
        }
      }
      c.commit();
      return new Contents(rows, offsets);
    }
  }

  private static Instant serverTime(Pipeline pipeline) throws SQLException {
    try (Connection c = connect(pipeline);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
      rs.next();
      return rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
    }
  }

  private static boolean inRecovery(Pipeline pipeline) throws SQLException {
    try (Connection c = connect(pipeline);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** Ends the current WAL segment and waits until the archiver has stored it. */
  private static void archiveCurrentSegment(Pipeline pipeline) throws SQLException {
    String segment;
    try (Connection c = connect(pipeline);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
      rs.next();
      segment = rs.getString(1);
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              try (Connection c = connect(pipeline);
                  Statement s = c.createStatement();
                  ResultSet rs = s.executeQuery("SELECT last_archived_wal FROM pg_stat_archiver")) {
                rs.next();
                String last = rs.getString(1);
                return last != null && last.compareTo(segment) >= 0;
              }
            });
  }
}
