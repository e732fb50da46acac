package dev.hourglass.chaos;

import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.embedded.KafkaNodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The servers of one scenario, as {@code hourglass servers} runs them: Kafka nodes each in a JVM of
 * their own ({@link KafkaNodes}) and PostgreSQL 18's postmaster, on fixed ports once started so
 * that a server killed and started again is found where it was. Writes {@value #CLIENT_PROPERTIES}
 * as {@code hourglass servers} does; the components' settings files are that file plus their own
 * keys.
 */
final class Servers implements AutoCloseable {
  static final String CLIENT_PROPERTIES = "client.properties";
  static final String DATABASE = "hourglass";

  private final Path dir;
  private final KafkaNodes kafka;
  private volatile EmbeddedPostgres pg;
  private final int pgPort;
  private final long[] brokerPeak;
  private volatile long pgPeak;

  private Servers(Path dir, KafkaNodes kafka, EmbeddedPostgres pg) {
    this.dir = dir;
    this.kafka = kafka;
    this.pg = pg;
    this.pgPort = pg.port();
    this.brokerPeak = new long[kafka.size()];
  }

  static Servers start(Path dir, List<String> launcher, int brokers)
      throws IOException, InterruptedException {
    EmbeddedPostgres pg =
        EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(dir.resolve("postgres"), 0));
    try {
      pg.createDatabase(DATABASE);
      KafkaNodes kafka = KafkaNodes.start(launcher, dir.resolve("kafka"), brokers, 0);
      Servers s = new Servers(dir, kafka, pg);
      s.writeClientProperties();
      return s;
    } catch (IOException | RuntimeException | InterruptedException e) {
      pg.close();
      throw e;
    }
  }

  /** What {@code hourglass servers} writes: the servers' addresses and the superuser's login. */
  private void writeClientProperties() throws IOException {
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
    Files.writeString(clientProperties(), text, StandardCharsets.UTF_8);
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
    pg =
        EmbeddedPostgres.start(
            EmbeddedPostgres.Options.persistent(dir.resolve("postgres"), pgPort));
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
