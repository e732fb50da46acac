package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hourglass.embedded.EmbeddedKafka;
import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.loadgen.LoadSummary;
import dev.hourglass.schema.PhysicalBackup;
import dev.hourglass.sink.SinkStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 19 of the reliability definition: a backup taken while the pipeline writes, more load,
 * the database destroyed and restored from the backup; the sink resumes from the offsets inside the
 * backup and replays the rest from Kafka, and every rollup row equals its recomputation from the
 * ledgers. On the way, {@code hourglass recovery-test} checks the backup on a scratch copy.
 */
class BackupRecoveryIT {

  @Test
  void shouldReplayFromKafkaWhatABackupTakenMidIngestDoesNotHold(@TempDir Path dir)
      throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.temporary())) {
      EmbeddedPostgres pg =
          EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(dir.resolve("pg"), 0));
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
                    pg.superuserPasswordFile().toString(),
                    // The database is away for a few seconds: retry often.
                    "sink.retry.max.backoff.ms",
                    "1000"));
        try (Pipeline pipeline = new Pipeline(settings, dir)) {
          pipeline.send(1, 2_000);
          long written = pipeline.sink.stats().recordsCommitted();
          CompletableFuture<LoadSummary> during =
              CompletableFuture.supplyAsync(() -> pipeline.send(2, 4_000));
          // Mid-ingest: the sink is writing the second load when the backup starts.
          await()
              .atMost(Duration.ofSeconds(60))
              .until(() -> pipeline.sink.stats().recordsCommitted() > written);
          PhysicalBackup.Result backup =
              PhysicalBackup.take(
                  pipeline.jdbcUrl,
                  EmbeddedPostgres.SUPERUSER,
                  pipeline.password,
                  dir.resolve("pg").resolve("pgdata"),
                  dir.resolve("backup"));
          assertThat(backup.walSegments()).isPositive();
          pipeline.books(during.get());

          // The regular recovery test, as an operator runs it against the live servers: a
          // scratch copy restored, started, checked, removed; the live database is untouched.
          Path settingsFile = dir.resolve("recovery-test.properties");
          Files.writeString(
              settingsFile,
              String.join(
                  "\n",
                  "bootstrap.servers=" + kafka.bootstrapServers(),
                  "jdbc.url=" + pipeline.jdbcUrl,
                  "jdbc.user=" + EmbeddedPostgres.SUPERUSER,
                  "jdbc.password.file=" + pg.superuserPasswordFile()));
          int recoveryTest =
              Hourglass.commandLine()
                  .execute(
                      "recovery-test",
                      "--from",
                      dir.resolve("backup").toString(),
                      "-c",
                      settingsFile.toString(),
                      "--scratch",
                      dir.resolve("scratch").toString());
          assertThat(recoveryTest).as("hourglass recovery-test's exit code").isZero();
          assertThat(dir.resolve("scratch")).doesNotExist();

          // The database is lost; the backup comes back on a new data directory, same port.
          int port = pg.port();
          Path passwordFile = pg.superuserPasswordFile();
          long movedBack = movedBack(pipeline.sink.stats());
          pg.close();
          pg = null;
          PhysicalBackup.restore(dir.resolve("backup"), dir.resolve("pg2").resolve("pgdata"));
          // The restored server keeps the superuser's password (its hash is in the backup): the
          // embedded server finds it in its password file, kept beside the backup.
          Files.copy(
              passwordFile,
              dir.resolve("pg2").resolve(passwordFile.getFileName()),
              StandardCopyOption.COPY_ATTRIBUTES);
          restored =
              EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(dir.resolve("pg2"), port));

          Summary summary = pipeline.books(pipeline.send(3, 1_000));

          // The sink found the offsets moved back under it and replayed from the backup's: its
          // check of commits not yet confirmed durable (the embedded server commits asynchronously)
          // or, failing that, the next batch's compare-and-set.
          assertThat(movedBack(pipeline.sink.stats())).isGreaterThan(movedBack);
          assertThat(summary.sent().acknowledged()).isEqualTo(7_000);
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

  /** Batches the sink rolled back because the stored offsets were behind what it had committed. */
  private static long movedBack(SinkStats stats) {
    return stats.commitsRejected() + stats.commitsLost();
  }
}
