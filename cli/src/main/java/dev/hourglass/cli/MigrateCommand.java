package dev.hourglass.cli;

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
    Settings s = config.settings();
    MigrationResult result =
        Migrator.forUrl(s.require("jdbc.url"), s.require("jdbc.user"), s.get("jdbc.password", ""))
            .migrate();
    System.out.println(
        "Applied " + result.applied() + " migration(s); schema version " + result.currentVersion());
    return 0;
  }
}
