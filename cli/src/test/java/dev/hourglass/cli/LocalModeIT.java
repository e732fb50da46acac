package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Local mode end to end, as a user runs it: embedded Kafka and PostgreSQL, every fault injected,
 * and the invariants of the README's "Delivery guarantees" checked against the ledger by
 * recomputing every rollup independently (I1, I2), the books (I3), caught-up offsets (I4, local
 * mode's wait) and one alert per key, hour and state (I5, a unique constraint the sink writes
 * through).
 */
class LocalModeIT {
  private static final String[] FAULTS = {
    "--orgs", "5",
    "--late-fraction", "0.01",
    "--out-of-order-fraction", "0.05",
    "--invalid-fraction", "0.01",
    "--poison-fraction", "0.005",
    "--duplicate-fraction", "0.02",
    "--misroute-fraction", "0.01"
  };

  @Test
  void shouldBalanceTheBooksWithEveryFaultInjected(@TempDir Path dir) throws Exception {
    Summary s = runLocal(dir, 7, 20_000);

    assertThat(s.run().acknowledged()).isEqualTo(20_000);
    assertThat(s.sent().acknowledged()).isEqualTo(20_000);
    assertThat(s.mismatches()).as("rows that differ from the ledger").isEmpty();
    assertThat(s.totals().rollupRows()).isEqualTo(s.expectedRows());
    assertThat(s.totals().deadLettered())
        .isEqualTo(s.sent().injected("invalid") + s.sent().injected("poison"));
    assertThat(s.stats().duplicatesSuppressed()).isEqualTo(s.sent().injected("duplicate"));
    // Each misrouted event is re-routed once, to its key's owner, and counted there once.
    assertThat(s.sent().injected("misrouted")).isEqualTo(200);
    assertThat(s.stats().rerouted()).isEqualTo(s.sent().injected("misrouted"));
    // Every late event is a correction. An out-of-order event becomes one too when its partition
    // fell quiet long enough for the wall clock to close its hour (a loaded machine): never more.
    assertThat(s.totals().lateCorrected())
        .isEqualTo(s.stats().lateCorrected())
        .isBetween(
            s.sent().injected("late"),
            s.sent().injected("late") + s.sent().injected("out_of_order"));
    assertThat(s.totals().counted())
        .isEqualTo(
            20_000
                - s.sent().injected("invalid")
                - s.sent().injected("poison")
                - s.sent().injected("duplicate"));
    assertThat(s.balanced()).isTrue();
    // Nobody called refresh_performance_views(): the sink's elected maintenance did.
    assertThat(s.viewsRefresh().outcome()).isEqualTo("succeeded");
    assertThat(s.agentDays()).isPositive();
    assertThat(s.viewRows().get("mv_agent_performance_summary")).isEqualTo(s.agentDays());
  }

  @Test
  void shouldAddASecondRunToTheFirstOnTheSameDataDirectory(@TempDir Path dir) throws Exception {
    Summary first = runLocal(dir, 7, 5_000);
    assertThat(first.balanced()).isTrue();

    Path sinkPassword = dir.resolve("data/secrets/hourglass_sink.password");
    String generated = Files.readString(sinkPassword).strip();
    String superuser = Files.readString(dir.resolve("data/postgres/superuser.password")).strip();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Summary second;
    try (LogCapture log = LogCapture.start()) {
      second = runLocal(dir, 8, 5_000, printed);
      // No password this run generated (PostgreSQL's and every Kafka principal's) is in what it
      // printed, in its log, or in any file of the repository.
      List<String> passwords = generatedPasswords(dir.resolve("data"));
      assertThat(passwords).hasSize(4 + 5).allSatisfy(p -> assertThat(p).hasSize(32));
      String logged = log.text();
      assertThat(logged).contains("sasl.jaas.config");
      for (String password : passwords) {
        assertThat(printed.toString(StandardCharsets.UTF_8)).doesNotContain(password);
        assertThat(logged).doesNotContain(password);
        assertThat(TrackedFiles.containing(password)).isEmpty();
      }
    }
    for (String principal :
        List.of(
            "hourglass-admin",
            "hourglass-producer",
            "hourglass-streams",
            "hourglass-sink",
            "hourglass-alerts")) {
      for (String file : List.of(principal + ".properties", principal + ".kcat.conf")) {
        Path written = dir.resolve("data/clients/" + file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(written)))
            .as(file)
            .isEqualTo("rw-------");
      }
    }
    assertThat(Files.readString(dir.resolve("data/clients/hourglass-producer.kcat.conf")))
        .contains("security.protocol=SASL_SSL\n", "sasl.username=hourglass-producer\n");

    // The sink logs in as its own role; passwords stay in owner-only files, never printed.
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sinkPassword)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(sinkPassword).strip()).isEqualTo(generated).hasSize(32);
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("the sink's (hourglass_sink) in " + sinkPassword)
        .doesNotContain(generated)
        .doesNotContain(superuser);
    // The CLI's -c logs in as the migrator (hourglass_owner), not as the superuser.
    assertThat(Files.readString(dir.resolve("data/local.properties")))
        .contains("jdbc.user=hourglass_migrator\n")
        .contains("kafka.security.protocol=SASL_SSL\n")
        .contains(
            "jdbc.password.file=" + dir.resolve("data/secrets/hourglass_migrator.password") + "\n")
        .doesNotContain(superuser);
    Path analystPgpass = dir.resolve("data/secrets/hourglass_analyst_local.pgpass");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(analystPgpass)))
        .isEqualTo("rw-------");
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("applied, as hourglass_migrator)")
        .contains("  PGPASSFILE=" + analystPgpass.toAbsolutePath() + " psql \"host=127.0.0.1 port=")
        .contains("sslmode=verify-full sslrootcert=")
        .contains("BEGIN; SET LOCAL hourglass.organization_id = '");
    assertAnalystSeesItsGrantedOrganizationsOnly(dir.resolve("data"));
    assertThat(second.sent().acknowledged()).isEqualTo(10_000);
    assertThat(second.totals().counted()).isGreaterThan(first.totals().counted());
    assertThat(second.mismatches()).isEmpty();
    assertThat(second.balanced()).isTrue();
  }

  /**
   * Local mode's analyst login, on the data directory's server started again: granted (audited, by
   * the migrator) every organization the loads generated, it reads an organization's rows only
   * inside a transaction naming it, over TLS with the server's certificate verified, and nothing of
   * an organization whose grant the owner took back.
   */
  private static void assertAnalystSeesItsGrantedOrganizationsOnly(Path data) throws Exception {
    try (EmbeddedPostgres pg =
            EmbeddedPostgres.start(
                EmbeddedPostgres.Options.persistent(data.resolve("postgres"), 0));
        Connection admin = pg.dataSource(LocalCommand.DATABASE).getConnection()) {
      List<String> organizations = strings(admin, "SELECT id::text FROM organizations ORDER BY 1");
      // --orgs 5 of each run's seed (7, then 8).
      assertThat(organizations).hasSize(10);
      assertThat(
              strings(
                  admin,
                  "SELECT organization_id::text FROM tenant_grants"
                      + " WHERE login = 'hourglass_analyst_local' ORDER BY 1"))
          .isEqualTo(organizations);
      assertThat(
              strings(
                  admin,
                  "SELECT DISTINCT db_user || ' ' || operation FROM audit_log"
                      + " WHERE table_name = 'tenant_grants'"))
          .containsExactly("hourglass_migrator INSERT");
      String a = organizations.get(0);
      String b = organizations.get(1);
      long rowsOfA =
          count(
              admin,
              a,
              "SELECT count(*) FROM task_rollups_hourly WHERE organization_id = '" + a + "'");
      long rowsOfB =
          count(
              admin,
              b,
              "SELECT count(*) FROM task_rollups_hourly WHERE organization_id = '" + b + "'");
      assertThat(rowsOfA).isPositive();
      assertThat(rowsOfB).isPositive();

      Properties login = new Properties();
      login.setProperty("user", LocalDatabase.ANALYST_LOGIN);
      login.setProperty(
          "password",
          Files.readString(data.resolve("secrets/hourglass_analyst_local.password")).strip());
      login.setProperty("sslmode", "verify-full");
      login.setProperty("sslrootcert", pg.rootCertificate().toString());
      try (Connection analyst =
          DriverManager.getConnection(pg.jdbcUrl(LocalCommand.DATABASE), login)) {
        String all = "SELECT count(*) FROM task_rollups_hourly";
        assertThat(count(analyst, a, all)).isEqualTo(rowsOfA);
        assertThat(count(analyst, b, all)).isEqualTo(rowsOfB);
        assertThat(count(analyst, null, all)).isZero();
        try (Statement s = admin.createStatement()) {
          s.execute(
              "DELETE FROM tenant_grants WHERE login = 'hourglass_analyst_local'"
                  + " AND organization_id = '"
                  + b
                  + "'");
        }
        assertThat(count(analyst, b, all)).isZero();
        assertThat(count(analyst, a, all)).isEqualTo(rowsOfA);
      }
    }
  }

  /** {@code sql}'s count in a transaction that names {@code organization} (none when null). */
  private static long count(Connection c, String organization, String sql) throws SQLException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      if (organization != null) {
        s.execute("SELECT set_config('hourglass.organization_id', '" + organization + "', true)");
      }
      try (ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getLong(1);
      }
    } finally {
      c.commit();
      c.setAutoCommit(true);
    }
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  /** Every password file under {@code data}: PostgreSQL's superuser, the sink, Kafka's logins. */
  private static List<String> generatedPasswords(Path data) throws IOException {
    List<Path> files = new ArrayList<>();
    files.add(data.resolve("postgres/superuser.password"));
    try (Stream<Path> secrets = Files.walk(data.resolve("secrets"))) {
      secrets.filter(p -> p.toString().endsWith(".password")).forEach(files::add);
    }
    List<String> passwords = new ArrayList<>();
    for (Path file : files) {
      passwords.add(Files.readString(file).strip());
    }
    return passwords;
  }

  private static Summary runLocal(Path dir, long seed, long events) throws Exception {
    return runLocal(dir, seed, events, new ByteArrayOutputStream());
  }

  private static Summary runLocal(Path dir, long seed, long events, ByteArrayOutputStream buffer)
      throws Exception {
    LocalCommand local = new LocalCommand();
    List<String> args = new ArrayList<>(List.of(FAULTS));
    args.addAll(
        List.of(
            "--seed",
            Long.toString(seed),
            "--events",
            Long.toString(events),
            "--data-dir",
            dir.resolve("data").toString(),
            // Metrics off (0): other builds on this machine may hold the default port.
            "-c",
            Files.writeString(dir.resolve("metrics.properties"), "metrics.port=0\n").toString()));
    new CommandLine(local).parseArgs(args.toArray(String[]::new));
    try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      Summary summary = local.run(out);
      System.out.println(buffer.toString(StandardCharsets.UTF_8));
      return summary;
    }
  }
}
