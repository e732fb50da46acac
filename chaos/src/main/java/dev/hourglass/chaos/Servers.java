package dev.hourglass.chaos;

import dev.hourglass.admin.KafkaAccess;
import dev.hourglass.config.Shared;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.embedded.KafkaNodes;
import dev.hourglass.embedded.KafkaSecurity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * The servers of one scenario, as {@code hourglass servers} runs them: Kafka nodes each in a JVM of
 * their own ({@link KafkaNodes}) and PostgreSQL 18's postmaster, on fixed ports once started so
 * that a server killed and started again is found where it was. Secured as {@code hourglass
 * servers} secures them unless asked otherwise: the brokers serve SASL_SSL with SCRAM logins and
 * ACLs ({@link KafkaAccess}), each component logs in as its own principal, and the harness's own
 * clients as the admin. Writes {@value #CLIENT_PROPERTIES} (owner-only: the admin's login) as
 * {@code hourglass servers} does, for {@code hourglass migrate} and {@code topics}; a component's
 * settings are {@link #shared()} plus its principal's {@link #kafkaLogin} and its own keys.
 */
final class Servers implements AutoCloseable {
  static final String CLIENT_PROPERTIES = "client.properties";
  static final String DATABASE = "hourglass";

  private final Path dir;
  private final KafkaNodes kafka;
  private final KafkaSecurity security;
  private volatile EmbeddedPostgres pg;
  private final int pgPort;
  private final long[] brokerPeak;
  private volatile long pgPeak;
  private final Map<String, String> postgresSettings;

  /** The embedded defaults with {@code settings} added, persistent in the run's directory. */
  private static EmbeddedPostgres.Options postgresOptions(
      Path dir, int port, Map<String, String> settings) {
    Map<String, String> server = new LinkedHashMap<>(EmbeddedPostgres.DEFAULT_SETTINGS);
    server.putAll(settings);
    return new EmbeddedPostgres.Options(dir.resolve("postgres"), port, false, server);
  }

  private Servers(
      Path dir,
      KafkaNodes kafka,
      KafkaSecurity security,
      EmbeddedPostgres pg,
      Map<String, String> postgresSettings) {
    this.dir = dir;
    this.postgresSettings = Map.copyOf(postgresSettings);
    this.kafka = kafka;
    this.security = security;
    this.pg = pg;
    this.pgPort = pg.port();
    this.brokerPeak = new long[kafka.size()];
  }

  /**
   * @param secured SASL_SSL, SCRAM and ACLs as {@code hourglass servers} runs them; otherwise the
   *     brokers serve PLAINTEXT without authentication
   */
  static Servers start(
      Path dir,
      List<String> launcher,
      int brokers,
      boolean secured,
      Map<String, String> postgresSettings)
      throws IOException, InterruptedException {
    EmbeddedPostgres pg = EmbeddedPostgres.start(postgresOptions(dir, 0, postgresSettings));
    try {
      pg.createDatabase(DATABASE);
      KafkaSecurity security = null;
      List<String> nodeArgs = List.of();
      if (secured) {
        Path secrets =
            Files.createDirectories(
                dir.resolve("secrets"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        security = KafkaSecurity.prepare(secrets.resolve("kafka"), KafkaAccess.PRINCIPALS, false);
        nodeArgs = List.of("--secrets", security.dir().toString());
      }
      KafkaNodes kafka = KafkaNodes.start(launcher, nodeArgs, dir.resolve("kafka"), brokers, 0);
      Servers s = new Servers(dir, kafka, security, pg, postgresSettings);
      try {
        if (secured) {
          // The ACLs of the default names, as hourglass servers grants them.
          try (Admin admin = Admin.create(s.client(KafkaSecurity.ADMIN))) {
            KafkaAccess.defaults(Topics.withPrefix(Topics.DEFAULT_PREFIX)).apply(admin);
          }
        }
        s.writeClientProperties();
        return s;
      } catch (IOException | RuntimeException e) {
        kafka.close();
        throw e;
      }
    } catch (IOException | RuntimeException | InterruptedException e) {
      pg.close();
      throw e;
    }
  }

  /**
   * What {@code hourglass servers} writes: the servers' addresses, the superuser's login and the
   * Kafka admin's login (hence owner-only).
   */
  private void writeClientProperties() throws IOException {
    StringBuilder text = new StringBuilder(shared());
    kafkaLogin(KafkaSecurity.ADMIN)
        .forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    Path file = clientProperties();
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /** The settings every component shares, as properties text: addresses, no Kafka login. */
  String shared() {
    Map<String, String> client = new LinkedHashMap<>();
    client.put("bootstrap.servers", kafka.bootstrapServers());
    client.put("jdbc.url", pg.jdbcUrl(DATABASE));
    client.put("jdbc.user", EmbeddedPostgres.SUPERUSER);
    client.put("jdbc.password.file", pg.superuserPasswordFile().toAbsolutePath().toString());
    if (kafka.size() == 3) {
      client.put("topics.replication.factor", "3");
      client.put("topics.min.insync.replicas", "2");
    }
    StringBuilder text = new StringBuilder();
    client.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    return text.toString();
  }

  boolean secured() {
    return security != null;
  }

  /** {@code principal}'s Kafka login as {@code kafka.*} keys of a component's settings. */
  Map<String, String> kafkaLogin(String principal) {
    return Shared.asKafkaKeys(loginOf(principal));
  }

  /** {@code principal}'s Kafka login as Kafka names it (the load generator's producers). */
  Map<String, String> loginOf(String principal) {
    return security == null ? Map.of() : security.clientSettings(principal);
  }

  /** A Kafka client of {@code principal}: the brokers and its login. */
  Map<String, Object> client(String principal) {
    Map<String, Object> m = new LinkedHashMap<>(loginOf(principal));
    m.put("bootstrap.servers", kafka.bootstrapServers());
    return m;
  }

  Path clientProperties() {
    return dir.resolve(CLIENT_PROPERTIES);
  }

  String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  String jdbcUrl() {
    return pg.jdbcUrl(DATABASE);
  }

  String superuserPassword() {
    return pg.superuserPassword();
  }

  EmbeddedPostgres postgres() {
    return pg;
  }

  int brokers() {
    return kafka.size();
  }

  void killBroker(int i) throws InterruptedException {
    Process p = kafka.process(i);
    p.destroyForcibly();
    p.waitFor();
  }

  void restartBroker(int i) throws IOException, InterruptedException {
    kafka.restart(i);
  }

  /** Every node SIGKILLed at once, then all started again together (a quorum needs a majority). */
  void killAndRestartCluster(java.time.Duration down) throws IOException, InterruptedException {
    for (int i = 0; i < kafka.size(); i++) {
      killBroker(i);
    }
    Thread.sleep(down.toMillis());
    kafka.restartAll();
  }

  /** SIGKILL to the postmaster: its backends end as soon as they notice. */
  void killPostgres() throws IOException, InterruptedException {
    long pid = pg.serverPid();
    new ProcessBuilder("kill", "-KILL", Long.toString(pid)).inheritIO().start().waitFor();
    ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
    // Releases the data directory's lock this JVM holds, so that the server can start again.
    try {
      pg.close();
    } catch (RuntimeException e) {
      // pg_ctl finds no server to stop: it was killed.
    }
  }

  /** Starts PostgreSQL again on its data directory and port: crash recovery replays its WAL. */
  void restartPostgres() {
    pg = EmbeddedPostgres.start(postgresOptions(dir, pgPort, postgresSettings));
  }

  /** Samples the servers' memory. */
  void watch() {
    for (int i = 0; i < kafka.size(); i++) {
      Process p = kafka.process(i);
      if (p.isAlive()) {
        brokerPeak[i] = Math.max(brokerPeak[i], Memory.rss(p.pid()));
      }
    }
    try {
      pgPeak = Math.max(pgPeak, Memory.rssWithChildren(pg.serverPid()));
    } catch (RuntimeException e) {
      // Down on purpose (scenario 8) or restarting.
    }
  }

  /** Peak resident memory by server: kafka-1.., postgres (postmaster and backends). */
  Map<String, Long> peaks() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < brokerPeak.length; i++) {
      m.put("kafka-" + (i + 1), brokerPeak[i]);
    }
    m.put("postgres", pgPeak);
    return m;
  }

  @Override
  public void close() {
    try {
      kafka.close();
    } finally {
      pg.close();
    }
  }
}
