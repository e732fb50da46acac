package dev.hourglass.cli;

import dev.hourglass.admin.KafkaAccess;
import dev.hourglass.config.ConfigException;
import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.embedded.KafkaNodes;
import dev.hourglass.embedded.KafkaSecurity;
import dev.hourglass.schema.SchemaBootstrap;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Only the servers, for development against them: Kafka (one broker, or a three-node KRaft cluster
 * with replication factor 3 and {@code min.insync.replicas=2}) and PostgreSQL 18, each server in an
 * OS process of its own (every Kafka node a JVM started from this executable, PostgreSQL its own
 * postmaster), data kept in {@code --data-dir}. The schema is migrated at start as local mode does
 * it ({@link LocalDatabase}: as {@code hourglass_migrator}), and the ACLs follow the names of the
 * settings given with {@code -c}. Prints the client settings (and writes them to {@value
 * #CLIENT_PROPERTIES} there) and runs until stopped; stopping it stops them all. The components run
 * against it with {@code -c}: {@code topics}, {@code streams}, {@code sink}, {@code produce}.
 */
@Command(
    name = "servers",
    mixinStandardHelpOptions = true,
    description =
        "Starts only Kafka (one broker, or --brokers 3: a three-node KRaft cluster) and"
            + " PostgreSQL 18, each server in its own process, prints the client settings and"
            + " runs until stopped.")
final class ServersCommand implements Callable<Integer> {
  static final String CLIENT_PROPERTIES = "client.properties";

  @Option(
      names = "--brokers",
      defaultValue = "1",
      description = "1, or 3 for a KRaft cluster (replication factor 3, min.insync.replicas 2).")
  int brokers;

  @Option(
      names = "--data-dir",
      defaultValue = ".hourglass-servers",
      description = "Where the servers keep their data (default ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--kafka-port",
      defaultValue = "0",
      description = "Port of the first broker, the next ones on the following ports (0 = free).")
  int kafkaPort;

  @Option(
      names = "--pg-port",
      defaultValue = "0",
      description = "PostgreSQL port (0 = a free one).")
  int pgPort;

  @Option(
      names = "--plaintext",
      description =
          "Also open a PLAINTEXT listener without authentication on each broker (SASL_SSL stays).")
  boolean plaintext;

  @Option(
      names = "--wal-archive",
      description =
          "Archive PostgreSQL's WAL into this directory, for point-in-time recovery"
              + " (hourglass restore --wal-archive --target-time).")
  Path walArchive;

  @Mixin ConfigOption config;

  private volatile KafkaNodes nodes;

  @Override
  public Integer call() throws Exception {
    if (brokers != 1 && brokers != 3) {
      throw new ConfigException(ConfigException.invalid("--brokers", brokers, "must be 1 or 3"));
    }
    Files.createDirectories(dataDir);
    PrintStream out = System.out;
    out.println("Starting PostgreSQL 18 and " + brokers + " Kafka node(s) in " + dataDir + " ...");
    Path pgDir = dataDir.resolve("postgres");
    EmbeddedPostgres pg =
        EmbeddedPostgres.start(
            walArchive == null
                ? EmbeddedPostgres.Options.persistent(pgDir, pgPort)
                : EmbeddedPostgres.Options.archiving(pgDir, pgPort, walArchive));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (nodes != null) {
                    nodes.close();
                  }
                  pg.close();
                  stopped.countDown();
                },
                "hourglass-servers-shutdown"));
    // The names the ACLs are for: the settings the components will be started with.
    Settings settings = config.settings();
    KafkaSecurity security = KafkaClients.prepare(dataDir, plaintext);
    // As in local mode: the superuser creates the roles, hourglass_migrator (hourglass_owner)
    // migrates, and the sink gets a login of its own.
    Path secrets = dataDir.resolve("secrets");
    LocalDatabase db = LocalDatabase.migrate(pg, secrets);
    Path sinkPassword = secrets.resolve(LocalCommand.SINK_LOGIN + ".password");
    pg.createLogin(
        LocalCommand.SINK_LOGIN, sinkPassword, List.of("hourglass_writer", "hourglass_maintainer"));
    List<String> nodeArgs = new ArrayList<>(List.of("--secrets", security.dir().toString()));
    if (plaintext) {
      nodeArgs.add("--plaintext");
    }
    nodes = KafkaNodes.start(launcher(), nodeArgs, dataDir.resolve("kafka"), brokers, kafkaPort);
    String bootstrap = nodes.bootstrapServers();
    // The ACLs of the names configured with -c (topic.prefix, group and application ids), the
    // defaults otherwise; the admin principal of client.properties may create others.
    KafkaAccess access = KafkaClients.access(settings);
    KafkaClients.grant(security, bootstrap, access);
    Map<String, String> client = new LinkedHashMap<>();
    client.put("bootstrap.servers", bootstrap);
    // Those names again, so that the components started with these files use what was granted.
    for (String key : KafkaClients.NAMES) {
      if (settings.values().containsKey(key)) {
        client.put(key, settings.values().get(key));
      }
    }
    client.put("jdbc.url", db.url());
    // The superuser, for what only it may do here (hourglass backup's pg_backup_start, restore);
    // the component files below log in as the migrator or the sink. The generated password's
    // file (owner-only), never the password itself.
    client.put("jdbc.user", EmbeddedPostgres.SUPERUSER);
    client.put("jdbc.password.file", pg.superuserPasswordFile().toAbsolutePath().toString());
    if (brokers == 3) {
      client.put("topics.replication.factor", "3");
      client.put("topics.min.insync.replicas", "2");
    }
    StringBuilder text = new StringBuilder();
    client.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    // The admin principal's login: this file holds its password, so it is owner-only and the
    // login is never printed.
    StringBuilder withLogin = new StringBuilder(text);
    KafkaClients.settings(security, KafkaSecurity.ADMIN)
        .forEach((k, v) -> withLogin.append(k).append('=').append(v).append('\n'));
    KafkaClients.writeOwnerOnly(dataDir.resolve(CLIENT_PROPERTIES), withLogin.toString());
    client.remove("bootstrap.servers");
    client.put("jdbc.user", SchemaBootstrap.MIGRATOR);
    client.put("jdbc.password.file", db.migratorPassword().toAbsolutePath().toString());
    Map<String, String> sink = new LinkedHashMap<>(client);
    sink.put("jdbc.user", LocalCommand.SINK_LOGIN);
    sink.put("jdbc.password.file", sinkPassword.toAbsolutePath().toString());
    Path clients =
        KafkaClients.write(dataDir, security, bootstrap, client, Map.of(KafkaAccess.SINK, sink));
    text.append("kafka.* = the admin principal's SASL_SSL login (in the file, not shown)\n");
    out.println(
        "Kafka: "
            + brokers
            + (brokers == 1 ? " broker" : " nodes (KRaft, each broker and controller)")
            + ", processes "
            + IntStream.range(0, brokers).mapToObj(i -> nodes.process(i).pid()).toList()
            + "; PostgreSQL 18: process "
            + pg.serverPid());
    out.println(
        "PostgreSQL data directory (for hourglass backup --pgdata): "
            + pgDir.resolve("pgdata").toAbsolutePath()
            + (walArchive == null ? "" : "; WAL archived into " + walArchive.toAbsolutePath()));
    out.println(
        "Schema at version "
            + db.migrated().currentVersion()
            + " ("
            + db.migrated().applied()
            + " applied, as "
            + SchemaBootstrap.MIGRATOR
            + "); Kafka ACLs for topic prefix '"
            + access.topics().prefix()
            + "', application id "
            + access.streamsApplicationId()
            + ", groups "
            + access.sinkGroup()
            + " and "
            + access.forwarderGroup());
    out.println("Client settings (also in " + dataDir.resolve(CLIENT_PROPERTIES) + "):");
    out.print(text);
    out.println(
        "One settings file per Kafka principal (least ACLs) in "
            + clients
            + ": -c <principal>.properties, kcat -F <principal>.kcat.conf (PostgreSQL: "
            + LocalCommand.SINK_LOGIN
            + " in the sink's, "
            + SchemaBootstrap.MIGRATOR
            + " in the others)");
    if (plaintext) {
      out.println("PLAINTEXT, unauthenticated: " + nodes.plaintextBootstrapServers());
    }
    out.println("Running until stopped (Ctrl-C).");
    out.flush();
    stopped.await();
    return 0;
  }

  /** The command that runs this executable again, for each Kafka node's JVM. */
  static List<String> launcher() {
    return List.of(
        ProcessHandle.current().info().command().orElse("java"),
        // Each node is one broker and controller of a development cluster.
        "-Xmx512m",
        "-cp",
        System.getProperty("java.class.path"),
        Hourglass.class.getName());
  }
}
