package dev.hourglass.cli;

import dev.hourglass.admin.KafkaAccess;
import dev.hourglass.admin.TopicProvisioner;
import dev.hourglass.admin.TopicSettings;
import dev.hourglass.config.Shared;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.EmbeddedKafka;
import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.embedded.KafkaSecurity;
import dev.hourglass.loadgen.LedgerCheck;
import dev.hourglass.loadgen.LoadGenerator;
import dev.hourglass.loadgen.LoadSummary;
import dev.hourglass.schema.MaintenanceRuns;
import dev.hourglass.schema.SchemaBootstrap;
import dev.hourglass.sink.MaintenanceConfig;
import dev.hourglass.sink.SinkApp;
import dev.hourglass.sink.SinkConfig;
import dev.hourglass.streams.ProcessorConfig;
import dev.hourglass.streams.StreamsProcessorApp;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The whole pipeline on one machine: an in-JVM Kafka broker and a PostgreSQL 18 child process (data
 * kept in {@code --data-dir}), the schema migrated, the topics provisioned, the streams processor
 * and the sink running in this JVM, and the load generator sending. Waits until the sink has caught
 * up, then prints the books and checks that they balance (exit 1 when they do not).
 */
@Command(
    name = "local",
    mixinStandardHelpOptions = true,
    description =
        "Runs the whole pipeline on embedded Kafka and PostgreSQL 18, sends a load, waits until"
            + " PostgreSQL has caught up and checks the books. A second run on the same"
            + " --data-dir adds to the first.")
final class LocalCommand implements Callable<Integer> {
  static final String DATABASE = "hourglass";
  static final String SINK_LOGIN = SchemaBootstrap.SINK;
  static final String CLIENT_SETTINGS = "local.properties";

  @Mixin ConfigOption config;
  @Mixin LoadOptions load;

  @Option(
      names = "--data-dir",
      defaultValue = ".hourglass",
      description =
          "Where the broker, PostgreSQL and the ledgers keep their data (default ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--kafka-port", defaultValue = "0", description = "Broker port (0 = a free one).")
  int kafkaPort;

  @Option(
      names = "--pg-port",
      defaultValue = "0",
      description = "PostgreSQL port (0 = a free one).")
  int pgPort;

  @Option(
      names = "--plaintext",
      description =
          "Also open a PLAINTEXT listener without authentication (the SASL_SSL one stays).")
  boolean plaintext;

  @Option(
      names = "--keep-running",
      description = "Keep everything up for querying after the summary, until Ctrl-C.")
  boolean keepRunning;

  @Option(
      names = "--catch-up-timeout",
      defaultValue = "PT5M",
      description = "How long to wait for the sink to catch up (default 5 minutes).")
  Duration catchUpTimeout;

  /** The metrics URL of the run in progress (null when off): for tests. */
  volatile String metricsUrl;

  /** The database of the run in progress: for tests. */
  volatile String jdbcUrl;

  /** The books, once printed: for tests of a run that keeps running. */
  volatile Summary summary;

  /** Ends a run that keeps running: Ctrl-C, or a test. */
  final CountDownLatch stop = new CountDownLatch(1);

  /** Closes the metrics server, if any, with the components. */
  private record Endpoint(Optional<MetricsServer> server) implements AutoCloseable {
    @Override
    public void close() {
      server.ifPresent(MetricsServer::close);
    }
  }

  @Override
  public Integer call() throws Exception {
    return run(System.out).balanced() ? 0 : Hourglass.FAILED;
  }

  /** Runs the pipeline and returns its books (printed to {@code out} as well). */
  Summary run(PrintStream out) throws Exception {
    // Local mode prints its own progress; the components' INFO lines would bury it.
    if (System.getenv("HOURGLASS_LOG_LEVEL") == null) {
      Configurator.setLevel("dev.hourglass", Level.WARN);
      // Migrating as the migrator, Flyway warns once per pg_trgm function that it could not
      // revoke or grant (they belong to the superuser; schema-sql/README.md): expected.
      Configurator.setLevel("org.flywaydb", Level.ERROR);
    }
    Settings base = config.settings();
    Files.createDirectories(dataDir);
    Path ledgers = Files.createDirectories(dataDir.resolve("ledgers"));
    Path ledger = load.ledger != null ? load.ledger : nextLedger(ledgers);
    long started = System.nanoTime();
    out.println("Starting Kafka and PostgreSQL 18 in " + dataDir.toAbsolutePath() + " ...");
    KafkaSecurity security = KafkaClients.prepare(dataDir, plaintext);
    try (EmbeddedKafka kafka =
            EmbeddedKafka.start(
                EmbeddedKafka.Options.persistent(dataDir.resolve("kafka"), kafkaPort)
                    .withSecurity(security));
        EmbeddedPostgres pg =
            EmbeddedPostgres.start(
                EmbeddedPostgres.Options.persistent(dataDir.resolve("postgres"), pgPort))) {
      // The superuser only creates roles and logins; the schema is migrated by a LOGIN member of
      // hourglass_owner, each password generated into a file only the user can read.
      Path secrets = secretsDir();
      LocalDatabase db = LocalDatabase.migrate(pg, secrets);
      String jdbcUrl = db.url();
      var migrated = db.migrated();
      // The sink logs in as its own role (writer, and maintainer for the maintenance it runs).
      Path sinkPassword = secrets.resolve(SINK_LOGIN + ".password");
      pg.createLogin(SINK_LOGIN, sinkPassword, List.of("hourglass_writer", "hourglass_maintainer"));
      // An analyst, for psql: sees the organizations the owner grants it (after the load).
      Path analystPassword = secrets.resolve(LocalDatabase.ANALYST_LOGIN + ".password");
      pg.createLogin(LocalDatabase.ANALYST_LOGIN, analystPassword, List.of("hourglass_analyst"));
      Path analystPgpass = pg.writePgpass(LocalDatabase.ANALYST_LOGIN, analystPassword);
      this.jdbcUrl = jdbcUrl;
      Map<String, String> shared = new LinkedHashMap<>();
      shared.put("bootstrap.servers", kafka.bootstrapServers());
      shared.put("jdbc.url", jdbcUrl);
      shared.put("jdbc.user", SINK_LOGIN);
      shared.put("jdbc.password", "");
      shared.put("jdbc.password.file", sinkPassword.toString());
      Settings s = base.with(shared);
      String prefix = s.read(Shared.KAFKA).getString(Shared.TOPIC_PREFIX);
      Topics topics = Topics.withPrefix(prefix);
      String bootstrap = kafka.bootstrapServers();
      Map<String, Object> admin = KafkaClients.client(security, bootstrap, KafkaSecurity.ADMIN);
      Path clientSettings = writeClientSettings(bootstrap, db, security);
      Path clientsDir =
          KafkaClients.write(
              dataDir,
              security,
              bootstrap,
              Map.of(
                  Shared.JDBC_URL,
                  jdbcUrl,
                  Shared.JDBC_USER,
                  SINK_LOGIN,
                  Shared.JDBC_PASSWORD_FILE,
                  sinkPassword.toAbsolutePath().toString()));
      out.println(
          "PostgreSQL requires passwords (scram-sha-256), each in a file only you can read: the"
              + " superuser's in "
              + pg.superuserPasswordFile()
              + ", the migrator's ("
              + SchemaBootstrap.MIGRATOR
              + ", hourglass_owner) in "
              + db.migratorPassword()
              + ", the sink's ("
              + SINK_LOGIN
              + ") in "
              + sinkPassword
              + ", the analyst's ("
              + LocalDatabase.ANALYST_LOGIN
              + ") in "
              + analystPassword
              + "; settings for the CLI's -c in "
              + clientSettings);
      out.println(
          "Kafka requires a SCRAM-SHA-512 login over TLS (SASL_SSL) on "
              + bootstrap
              + ", one principal per component with least ACLs: settings per principal in "
              + clientsDir
              + " (-c <principal>.properties; kcat -F <principal>.kcat.conf)"
              + (plaintext
                  ? "; PLAINTEXT, unauthenticated: " + kafka.plaintextBootstrapServers()
                  : ""));

      out.println(
          "Schema at version "
              + migrated.currentVersion()
              + " ("
              + migrated.applied()
              + " applied, as "
              + SchemaBootstrap.MIGRATOR
              + ")");
      out.println(
          TopicProvisioner.provision(admin, TopicSettings.from(s.read(TopicSettings.DECLARATIONS)))
              .message());

      // The processor's state lives with the run's data unless configured elsewhere.
      Settings streamsSettings =
          s.values().containsKey(ProcessorConfig.STATE_DIR)
              ? s
              : s.with(
                  Map.of(ProcessorConfig.STATE_DIR, dataDir.resolve("streams-state").toString()));
      // Each in-process component logs in as its own principal.
      ProcessorConfig processorConfig =
          ProcessorConfig.from(
              streamsSettings
                  .with(KafkaClients.settings(security, KafkaAccess.STREAMS))
                  .read(ProcessorConfig.DECLARATIONS));
      SinkConfig sinkConfig =
          SinkConfig.from(
              localMaintenance(s.with(KafkaClients.settings(security, KafkaAccess.SINK)))
                  .read(SinkConfig.DECLARATIONS));
      KafkaClients.grant(
          security,
          bootstrap,
          new KafkaAccess(
              topics,
              processorConfig.applicationId(),
              sinkConfig.groupId(),
              KafkaClients.access(s).forwarderGroup()));
      int metricsPort = s.read(Shared.METRICS).getInt(Shared.METRICS_PORT);
      try (Meters meters = new Meters();
          StreamsProcessorApp streams =
              StreamsProcessorApp.start(processorConfig, meters.registry());
          SinkApp sink = new SinkApp(sinkConfig, meters.registry());
          Endpoint endpoint =
              new Endpoint(
                  MetricsServer.start(
                      "127.0.0.1",
                      metricsPort,
                      meters.registry(),
                      List.of(
                          new MetricsServer.Probe("streams", streams::live, streams::ready),
                          new MetricsServer.Probe("sink", sink::live, sink::ready))))) {
        sink.start();
        endpoint
            .server()
            .ifPresent(m -> out.println("Metrics: " + m.url() + " (health: /health/ready)"));
        metricsUrl = endpoint.server().map(MetricsServer::url).orElse(null);
        out.println(
            "Streams processor ("
                + streams.stateName()
                + ") and sink running; sending events (ledger "
                + ledger
                + ")");
        LoadSummary sent =
            new LoadGenerator(
                    load.toOptions(bootstrap, prefix, ledger),
                    security.clientSettings(KafkaAccess.PRODUCER))
                .run(out);
        List<Path> allLedgers = ledgers(ledgers, ledger);
        LedgerCheck.Sent books = LedgerCheck.read(allLedgers).sent();
        CatchUp.await(out, admin, topics, sink, books.acknowledged(), catchUpTimeout);
        double seconds = (System.nanoTime() - started) / 1e9;
        MaintenanceRuns.Run refresh = awaitViewsRefreshed(out, sinkConfig, db);
        // Reports read every tenant's rows and the materialized views: as the owner (the
        // migrator), not the superuser.
        Summary summary =
            Summary.collect(
                admin,
                topics,
                jdbcUrl,
                SchemaBootstrap.MIGRATOR,
                db.password(),
                allLedgers,
                sent,
                seconds,
                refresh);
        db.grants().grantEveryOrganization(LocalDatabase.ANALYST_LOGIN);
        summary.print(out, queryLines(pg, db, analystPgpass));
        this.summary = summary;
        if (keepRunning) {
          endpoint
              .server()
              .ifPresent(
                  m ->
                      out.println(
                          "Metrics:   curl " + m.url() + "   (they equal the books above)"));
          out.println("Everything keeps running; Ctrl-C stops it.");
          Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
          stop.await();
        }
        return summary;
      }
    }
  }

  /**
   * The sink's maintenance refreshes the materialized views every few seconds here, unless
   * configured otherwise, so that they show this run's rollups by the time the books are printed.
   */
  private static Settings localMaintenance(Settings s) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(MaintenanceConfig.CHECK_INTERVAL_MS, "1000");
    m.put(MaintenanceConfig.REFRESH_INTERVAL_MS, "5000");
    m.keySet().removeAll(s.values().keySet());
    return s.with(m);
  }

  /**
   * Waits for the maintenance scheduler's first view refresh after catching up: nobody calls the
   * refresh, the elected sink does. Null when the maintenance is off.
   */
  private static MaintenanceRuns.Run awaitViewsRefreshed(
      PrintStream out, SinkConfig sink, LocalDatabase db) throws Exception {
    MaintenanceConfig m = sink.maintenance();
    if (!m.enabled() || m.refreshInterval().isZero()) {
      return null;
    }
    out.println("  waiting for the maintenance scheduler to refresh the materialized views");
    Duration wait = m.refreshInterval().plus(m.checkInterval()).plus(Duration.ofSeconds(60));
    return MaintenanceRuns.connect(db.url(), SchemaBootstrap.MIGRATOR, db.password())
        .awaitSuccess("refresh_views", Instant.now(), wait)
        .orElse(null);
  }

  private Path secretsDir() throws IOException {
    Path dir = dataDir.resolve("secrets");
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    return dir;
  }

  /**
   * {@code <data-dir>/local.properties} (0600): this run's addresses for the CLI's {@code -c}
   * (report, alerts tail, topics, migrate), logging in to PostgreSQL as the migrator (the owner:
   * every tenant's rows, no superuser rights) with its password file, and to Kafka as the admin
   * principal (whose password it holds).
   */
  private Path writeClientSettings(
      String bootstrapServers, LocalDatabase db, KafkaSecurity security) throws IOException {
    Path file = dataDir.resolve(CLIENT_SETTINGS);
    StringBuilder text =
        new StringBuilder(
            "# Written by hourglass local at each start (the ports may change).\n"
                + "bootstrap.servers="
                + bootstrapServers
                + "\njdbc.url="
                + db.url()
                + "\njdbc.user="
                + SchemaBootstrap.MIGRATOR
                + "\njdbc.password.file="
                + db.migratorPassword().toAbsolutePath()
                + "\n");
    KafkaClients.settings(security, KafkaSecurity.ADMIN)
        .forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    KafkaClients.writeOwnerOnly(file, text.toString());
    return file;
  }

  /**
   * How to query the run with psql, each password from a libpq password file: the analyst (one
   * granted organization per transaction, SET LOCAL) and the superuser. The superuser stays for
   * what only it may do (roles, extensions); the reports above logged in as the owner.
   */
  private static List<String> queryLines(
      EmbeddedPostgres pg, LocalDatabase db, Path analystPgpass) {
    String org =
        db.grants().granted(LocalDatabase.ANALYST_LOGIN).stream()
            .findFirst()
            .orElse("<organization uuid>");
    String conninfo =
        "\"host=127.0.0.1 port="
            + pg.port()
            + " dbname="
            + DATABASE
            + " sslmode=verify-full sslrootcert="
            + pg.rootCertificate().toAbsolutePath()
            + " user=";
    return List.of(
        "Query it as the analyst "
            + LocalDatabase.ANALYST_LOGIN
            + " (granted every organization of this data directory; rows show only inside a"
            + " transaction that names one):",
        "  PGPASSFILE="
            + analystPgpass.toAbsolutePath()
            + " psql "
            + conninfo
            + LocalDatabase.ANALYST_LOGIN
            + "\"",
        "  BEGIN; SET LOCAL hourglass.organization_id = '"
            + org
            + "'; SELECT count(*) FROM task_rollups_hourly; COMMIT;",
        "As the superuser:  PGPASSFILE="
            + pg.pgpassFile().toAbsolutePath()
            + " psql "
            + conninfo
            + EmbeddedPostgres.SUPERUSER
            + "\"");
  }

  /** run-1.jsonl, run-2.jsonl, ...: each run of local mode on a data directory keeps its ledger. */
  private static Path nextLedger(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      long runs = files.filter(p -> p.getFileName().toString().matches("run-\\d+\\.jsonl")).count();
      return dir.resolve("run-" + (runs + 1) + ".jsonl");
    }
  }

  private static List<Path> ledgers(Path dir, Path current) {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> found =
          files
              .filter(p -> p.getFileName().toString().matches("run-\\d+\\.jsonl"))
              .sorted()
              .toList();
      return found.contains(current)
          ? found
          : Stream.concat(found.stream(), Stream.of(current)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
