package dev.hourglass.bench;

import dev.hourglass.admin.TopicProvisioner;
import dev.hourglass.config.Shared;
import dev.hourglass.contract.Topic;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.EmbeddedKafka;
import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.loadgen.LoadGeneratorOptions;
import dev.hourglass.schema.Migrator;
import dev.hourglass.sink.SinkConfig;
import dev.hourglass.streams.ProcessorConfig;
import dev.hourglass.streams.StreamsProcessorApp;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The servers of a benchmark: an in-JVM Kafka broker and a PostgreSQL 18 child process, both on
 * temporary directories deleted at close, the schema migrated. Each phase of a benchmark takes its
 * own topic prefix, streams application id and sink group, so no phase sees another's records.
 */
final class BenchCluster implements AutoCloseable {
  static final String DATABASE = "bench";

  private final EmbeddedKafka kafka;
  private final EmbeddedPostgres pg;
  private final ComponentSettings settings;
  private final Path stateDir;

  private BenchCluster(
      EmbeddedKafka kafka, EmbeddedPostgres pg, ComponentSettings settings, Path stateDir) {
    this.kafka = kafka;
    this.pg = pg;
    this.settings = settings;
    this.stateDir = stateDir;
  }

  /**
   * Starts both servers and migrates the schema; {@code settings} supplies the components' tuning.
   */
  static BenchCluster start(ComponentSettings settings, PrintStream out) throws IOException {
    out.println("Starting embedded Kafka and PostgreSQL 18 ...");
    EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.temporary());
    EmbeddedPostgres pg = null;
    try {
      pg = EmbeddedPostgres.start(EmbeddedPostgres.Options.temporary());
      pg.createDatabase(DATABASE);
      Migrator.forUrl(pg.jdbcUrl(DATABASE), EmbeddedPostgres.SUPERUSER, "").migrate();
      return new BenchCluster(
          kafka, pg, settings, Files.createTempDirectory("hourglass-bench-state"));
    } catch (IOException | RuntimeException e) {
      if (pg != null) {
        pg.close();
      }
      kafka.close();
      throw e;
    }
  }

  String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  String jdbcUrl() {
    return pg.jdbcUrl(DATABASE);
  }

  /** The PostgreSQL server's process: its memory and its backends' count in the benchmarks. */
  long postgresPid() {
    return pg.serverPid();
  }

  String user() {
    return EmbeddedPostgres.SUPERUSER;
  }

  /** Creates the pipeline's topics under {@code prefix} and returns their names. */
  Topics provision(String prefix) {
    TopicProvisioner.provision(
        kafka.bootstrapServers(), settings.topics(Map.of(Shared.TOPIC_PREFIX, prefix)));
    return Topics.withPrefix(prefix);
  }

  /**
   * Load generator options for a benchmark: clean events only (no late, invalid, poison, duplicate
   * or misrouted ones), the default grace and the shortest event span.
   *
   * @param events how many; 0 to send at {@code rate} for {@code duration}
   * @param end where event time ends; null for the moment the generator starts
   */
  LoadGeneratorOptions cleanLoad(
      String prefix,
      long events,
      double rate,
      Duration duration,
      long seed,
      int orgs,
      int concurrency,
      Instant end) {
    return new LoadGeneratorOptions(
        kafka.bootstrapServers(),
        prefix,
        events,
        rate,
        events == 0 ? duration : null,
        seed,
        orgs,
        concurrency,
        0,
        0,
        0,
        0,
        0,
        0,
        null,
        null,
        LoadGeneratorOptions.DEFAULT_GRACE,
        LoadGeneratorOptions.MIN_EVENT_SPAN,
        end);
  }

  /** The input topics of {@code prefix}: what the streams processor reads. */
  static List<String> inputs(Topics topics) {
    return topics.events().stream().map(Topic::name).toList();
  }

  /** The streams processor's configuration for one phase, on top of the user's settings. */
  ProcessorConfig processor(String prefix, String applicationId, Map<String, String> overrides) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put(Shared.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    s.put(Shared.TOPIC_PREFIX, prefix);
    s.put(ProcessorConfig.APPLICATION_ID, applicationId);
    s.put(ProcessorConfig.STATE_DIR, stateDir.resolve(applicationId).toString());
    s.putAll(overrides);
    return settings.processor(s);
  }

  /** The sink's configuration for one phase, on top of the user's settings. */
  SinkConfig sink(String prefix, String groupId) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put(Shared.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    s.put(Shared.JDBC_URL, jdbcUrl());
    s.put(Shared.JDBC_USER, user());
    s.put(Shared.JDBC_PASSWORD, "");
    s.put(Shared.TOPIC_PREFIX, prefix);
    s.put(SinkConfig.GROUP_ID, groupId);
    return settings.sink(s);
  }

  /** Waits until the streams processor has joined its group and is processing. */
  static void awaitRunning(StreamsProcessorApp streams) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!streams.stateName().equals("RUNNING")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the streams processor is " + streams.stateName() + " after 60 s, not RUNNING");
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    try (kafka;
        pg) {
      // Kafka Streams' state of every phase; the servers delete their own directories.
      try (Stream<Path> files = Files.walk(stateDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException("could not delete " + stateDir, e);
      }
    }
  }
}
