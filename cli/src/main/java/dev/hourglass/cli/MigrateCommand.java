package dev.hourglass.cli;

import dev.hourglass.config.ConfigException;
import dev.hourglass.config.Shared;
import dev.hourglass.config.Values;
import dev.hourglass.schema.MigrationResult;
import dev.hourglass.schema.Migrator;
import dev.hourglass.schema.SchemaBootstrap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description =
        "Applies the PostgreSQL schema (Flyway) to jdbc.url as jdbc.user; a current schema is left"
            + " as it is. With --logins, jdbc.user is a superuser that only bootstraps: the group"
            + " roles, the LOGIN roles hourglass_migrator (hourglass_owner) and hourglass_sink"
            + " (hourglass_writer, hourglass_maintainer) with the passwords in"
            + " DIR/<login>.password, then the migration as hourglass_migrator.")
final class MigrateCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Spec CommandSpec spec;

  @Option(
      names = "--logins",
      paramLabel = "DIR",
      description =
          "Bootstrap as the superuser jdbc.user, then migrate as hourglass_migrator; DIR holds"
              + " hourglass_migrator.password and hourglass_sink.password.")
  Path logins;

  @Override
  public Integer call() {
    Values v = config.settings().read(Shared.JDBC);
    String url = v.getString(Shared.JDBC_URL);
    String user = v.getString(Shared.JDBC_USER);
    String password = Shared.jdbcPassword(v);
    if (logins == null) {
      MigrationResult result = Migrator.forUrl(url, user, password).migrate();
      spec.commandLine()
          .getOut()
          .println(
              "Applied "
                  + result.applied()
                  + " migration(s); schema version "
                  + result.currentVersion());
      return 0;
    }
    // Every password first, so that a missing file stops the run before anything changes.
    Map<String, String> passwords = new TreeMap<>();
    SchemaBootstrap.LOGINS.keySet().forEach(login -> passwords.put(login, read(login)));
    SchemaBootstrap.prepare(url, user, password);
    SchemaBootstrap.LOGINS.forEach(
        (login, groups) ->
            SchemaBootstrap.login(url, user, password, login, passwords.get(login), groups));
    MigrationResult result =
        Migrator.forUrl(url, SchemaBootstrap.MIGRATOR, passwords.get(SchemaBootstrap.MIGRATOR))
            .migrate();
    SchemaBootstrap.finish(url, user, password);
    spec.commandLine()
        .getOut()
        .println(
            "Applied "
                + result.applied()
                + " migration(s) as "
                + SchemaBootstrap.MIGRATOR
                + "; schema version "
                + result.currentVersion()
                + "; logins "
                + String.join(", ", passwords.keySet()));
    return 0;
  }

  private String read(String login) {
    Path file = logins.resolve(login + ".password");
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      if (lines.isEmpty() || lines.get(0).isBlank()) {
        throw new ConfigException("--logins: " + file + " is empty");
      }
      return lines.get(0).strip();
    } catch (IOException e) {
      throw new ConfigException(
          "--logins: cannot read " + login + "'s password from " + file + ": " + e);
    }
  }
}
