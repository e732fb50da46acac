package dev.hourglass.cli;

import dev.hourglass.config.Shared;
import dev.hourglass.config.Values;
import dev.hourglass.schema.PhysicalBackup;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hourglass backup}: a consistent physical backup of the running database server. */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description =
        "Takes a consistent physical backup of the PostgreSQL server at jdbc.url (a superuser)"
            + " while the pipeline writes: pg_backup_start, a copy of --pgdata, pg_backup_stop and"
            + " the WAL in between. Run it on the database machine.")
final class BackupCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Option(
      names = "--pgdata",
      required = true,
      description = "The server's data directory (SHOW data_directory).")
  Path pgdata;

  @Option(names = "--to", required = true, description = "A new directory for the backup.")
  Path target;

  @Override
  public Integer call() throws Exception {
    Values v = config.settings().read(Shared.JDBC);
    PhysicalBackup.Result r =
        PhysicalBackup.take(
            v.getString(Shared.JDBC_URL),
            v.getString(Shared.JDBC_USER),
            Shared.jdbcPassword(v),
            pgdata,
            target);
    System.out.println(
        "Backup in "
            + target
            + ": "
            + r.files()
            + " files and "
            + r.walSegments()
            + " WAL segments, consistent at "
            + r.stopLsn()
            + " (replay from "
            + r.startLsn()
            + ")");
    return 0;
  }
}
