package dev.hourglass.cli;

import dev.hourglass.config.Shared;
import dev.hourglass.config.Values;
import dev.hourglass.schema.MigrationResult;
import dev.hourglass.schema.Migrator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description =
        "Applies the PostgreSQL schema (Flyway) to jdbc.url as jdbc.user; a current schema is left"
            + " as it is.")
final class MigrateCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() {
    Values v = config.settings().read(Shared.JDBC);
    MigrationResult result =
        Migrator.forUrl(
                v.getString(Shared.JDBC_URL), v.getString(Shared.JDBC_USER), Shared.jdbcPassword(v))
            .migrate();
    System.out.println(
        "Applied " + result.applied() + " migration(s); schema version " + result.currentVersion());
    return 0;
  }
}
