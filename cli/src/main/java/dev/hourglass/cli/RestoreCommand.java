package dev.hourglass.cli;

import dev.hourglass.config.ConfigException;
import dev.hourglass.schema.PhysicalBackup;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hourglass restore}: a backup into a new data directory, for a server to start on; with
 * {@code --wal-archive} the server then recovers from archived WAL, up to {@code --target-time}
 * (point-in-time recovery) or as far as the archive goes.
 */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description =
        "Puts a backup taken by hourglass backup into a new PostgreSQL data directory. A server"
            + " started on it replays the backup's WAL and, with --wal-archive, the archived WAL"
            + " up to --target-time; the sink then resumes from the offsets in the restored"
            + " database and replays the rest from Kafka.")
final class RestoreCommand implements Callable<Integer> {
  @Option(names = "--from", required = true, description = "The backup directory.")
  Path backup;

  @Option(
      names = "--pgdata",
      required = true,
      description = "The new data directory (absent or empty).")
  Path pgdata;

  @Option(
      names = "--wal-archive",
      description =
          "The directory the server archived its WAL into: recover from it (as far as it goes,"
              + " or to --target-time) instead of stopping at the backup's end.")
  Path walArchive;

  @Option(
      names = "--target-time",
      description =
          "ISO-8601 moment with its offset (2026-11-30T21:40:00Z): the restored database holds"
              + " every transaction committed up to it, none after. Needs --wal-archive.")
  String targetTime;

  @Override
  public Integer call() throws Exception {
    Instant target = null;
    if (targetTime != null) {
      if (walArchive == null) {
        throw new ConfigException(
            ConfigException.invalid(
                "--target-time", targetTime, "needs --wal-archive, the WAL after the backup"));
      }
      try {
        target = OffsetDateTime.parse(targetTime).toInstant();
      } catch (DateTimeParseException e) {
        throw new ConfigException(
            ConfigException.invalid(
                "--target-time",
                targetTime,
                "must be ISO-8601 with an offset, like 2026-11-30T21:40:00Z"));
      }
    }
    PhysicalBackup.restore(
        backup,
        pgdata,
        walArchive == null ? null : new PhysicalBackup.Recovery(walArchive, target));
    System.out.println(
        "Restored "
            + backup
            + " into "
            + pgdata
            + (walArchive == null
                ? ""
                : "; it recovers from " + walArchive + (target == null ? "" : " up to " + target))
            + "; start PostgreSQL on it (pg_ctl -D "
            + pgdata
            + " start), then the sink");
    return 0;
  }
}
