package dev.hourglass.cli;

import dev.hourglass.config.ConfigException;
import dev.hourglass.config.Shared;
import dev.hourglass.config.Values;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.schema.PhysicalBackup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code hourglass recovery-test}: docs/backup.md's regular recovery test ({@link RecoveryTest}),
 * on a scratch copy, never on the live database. Exit 1 when a check fails.
 */
@Command(
    name = "recovery-test",
    mixinStandardHelpOptions = true,
    description =
        "Restores a backup into a scratch directory, starts PostgreSQL on it (a free port),"
            + " checks it as docs/backup.md's recovery test does (recovery finished, schema and"
            + " books readable, stored offsets inside Kafka's retention and not ahead of the live"
            + " database), reports each step's time, then stops the server and removes the"
            + " scratch copy.")
final class RecoveryTestCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Option(names = "--from", required = true, description = "The backup directory.")
  Path backup;

  @Option(
      names = "--wal-archive",
      description = "The WAL archive: recover from it (as far as it goes, or to --target-time).")
  Path walArchive;

  @Option(
      names = "--target-time",
      description = "ISO-8601 moment with its offset to recover to. Needs --wal-archive.")
  String targetTime;

  @Option(
      names = "--superuser-password-file",
      description =
          "The backed-up server's superuser (postgres) password (roles are in the backup; the"
              + " embedded server keeps it in <data-dir>/postgres/superuser.password). Default:"
              + " the -c settings' jdbc password when jdbc.user is postgres.")
  Path superuserPasswordFile;

  @Option(
      names = "--scratch",
      description =
          "An absent or empty directory for the restored copy (default: a temporary one).")
  Path scratch;

  @Option(
      names = "--keep",
      description = "Keep the restored copy (stopped) instead of removing it.")
  boolean keep;

  @Override
  public Integer call() throws Exception {
    Settings settings = config.settings();
    Map<String, String> given = settings.values();
    Values jdbc = given.containsKey(Shared.JDBC_URL) ? settings.read(Shared.JDBC) : null;
    String password;
    if (superuserPasswordFile != null) {
      password = Files.readString(superuserPasswordFile, StandardCharsets.UTF_8).strip();
    } else if (jdbc != null
        && EmbeddedPostgres.SUPERUSER.equals(jdbc.getString(Shared.JDBC_USER))) {
      password = Shared.jdbcPassword(jdbc);
    } else {
      throw new ConfigException(
          ConfigException.invalid(
              "--superuser-password-file",
              null,
              "required unless -c logs in as postgres: the restored server knows the backed-up"
                  + " server's passwords only"));
    }
    PhysicalBackup.Recovery recovery = null;
    if (walArchive != null) {
      try {
        recovery =
            new PhysicalBackup.Recovery(
                walArchive,
                targetTime == null ? null : OffsetDateTime.parse(targetTime).toInstant());
      } catch (DateTimeParseException e) {
        throw new ConfigException(
            ConfigException.invalid(
                "--target-time",
                targetTime,
                "must be ISO-8601 with an offset, like 2026-11-30T21:40:00Z"));
      }
    } else if (targetTime != null) {
      throw new ConfigException(
          ConfigException.invalid("--target-time", targetTime, "needs --wal-archive"));
    }
    Map<String, Object> kafka = null;
    Topics topics = Topics.withPrefix(Topics.DEFAULT_PREFIX);
    if (given.containsKey(Shared.BOOTSTRAP_SERVERS)) {
      Values k = settings.read(Shared.KAFKA);
      kafka = Shared.kafkaClient(k);
      topics = Topics.withPrefix(k.getString(Shared.TOPIC_PREFIX));
    }
    RecoveryTest.Database live =
        jdbc == null
            ? null
            : new RecoveryTest.Database(
                jdbc.getString(Shared.JDBC_URL),
                jdbc.getString(Shared.JDBC_USER),
                Shared.jdbcPassword(jdbc));
    Path dir = scratch != null ? scratch : Files.createTempDirectory("hourglass-recovery-test-");
    RecoveryTest.Result r =
        new RecoveryTest(backup, recovery, password, dir, kafka, live, topics)
            .run(System.out, keep);
    r.passed().forEach(p -> System.out.println("PASS  " + p));
    r.failed().forEach(f -> System.out.println("FAIL  " + f));
    r.steps()
        .forEach(
            (step, d) -> System.out.printf("time  %-18s %.1f s%n", step, d.toMillis() / 1000.0));
    System.out.println(
        (r.ok() ? "RECOVERY TEST PASSED" : "RECOVERY TEST FAILED")
            + (keep ? "; the restored copy is kept in " + dir : "; the restored copy is removed"));
    return r.ok() ? 0 : Hourglass.FAILED;
  }
}
