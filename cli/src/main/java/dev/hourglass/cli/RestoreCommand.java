package dev.hourglass.cli;

import dev.hourglass.schema.PhysicalBackup;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hourglass restore}: a backup into a new data directory, for a server to start on. */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description =
        "Puts a backup taken by hourglass backup into a new PostgreSQL data directory. A server"
            + " started on it replays the backup's WAL; the sink then resumes from the offsets in"
            + " the backup and replays the rest from Kafka.")
final class RestoreCommand implements Callable<Integer> {
  @Option(names = "--from", required = true, description = "The backup directory.")
  Path backup;

  @Option(
      names = "--pgdata",
      required = true,
      description = "The new data directory (absent or empty).")
  Path pgdata;

  @Override
  public Integer call() throws Exception {
    PhysicalBackup.restore(backup, pgdata);
    System.out.println(
        "Restored "
            + backup
            + " into "
            + pgdata
            + "; start PostgreSQL on it (pg_ctl -D "
            + pgdata
            + " start), then the sink");
    return 0;
  }
}
