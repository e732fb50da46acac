package dev.hourglass.streams;

import dev.hourglass.avro.KnownSchemas;
import dev.hourglass.avro.SchemaTopic;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.contract.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams processor's entry point: the one place that creates {@link KafkaStreams}.
 *
 * <p>Reads the three event topics and writes rollups, corrections, alerts, dead letters and stats
 * (see {@link HourglassTopology}). Run it with {@code hourglass streams}, which reads the
 * configuration and calls {@link #run(ProcessorConfig, MeterRegistry, Consumer)}; local mode and
 * the benchmarks call {@link #start(ProcessorConfig)}.
 */
public final class StreamsProcessorApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsProcessorApp.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  /** How often the rules file is checked for changes. */
  static final Duration RULES_CHECK_INTERVAL = Duration.ofSeconds(5);

  private final KafkaStreams streams;
  private final RulesWatcher rulesWatcher;
  private final SchemaTopic schemas;
  private final CloseOptions.GroupMembershipOperation onClose;
  private final KafkaStreamsMetrics clientMetrics;
  private final RocksDBMemory rocksDBMemory;
  private final Path appStateDir;

  private StreamsProcessorApp(
      KafkaStreams streams,
      RocksDBMemory rocksDBMemory,
      Path appStateDir,
      RulesWatcher rulesWatcher,
      SchemaTopic schemas,
      CloseOptions.GroupMembershipOperation onClose,
      KafkaStreamsMetrics clientMetrics) {
    this.streams = streams;
    this.rocksDBMemory = rocksDBMemory;
    this.appStateDir = appStateDir;
    this.rulesWatcher = rulesWatcher;
    this.schemas = schemas;
    this.onClose = onClose;
    this.clientMetrics = clientMetrics;
  }

  /**
   * Starts the processor, hands it to {@code started} (for health checks), and blocks until the JVM
   * is asked to stop (the shutdown hook closes it).
   */
  public static void run(
      ProcessorConfig config, MeterRegistry registry, Consumer<StreamsProcessorApp> started) {
    CountDownLatch stopped = new CountDownLatch(1);
    StreamsProcessorApp app = start(config, registry);
    started.accept(app);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                },
                "hourglass-streams-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      app.close();
    }
  }

  /** Starts the processor without metrics and returns at once; {@link #close()} stops it. */
  public static StreamsProcessorApp start(ProcessorConfig config) {
    // A composite registry with no registry in it: every meter is a no-op.
    return start(config, new CompositeMeterRegistry());
  }

  /**
   * Starts the processor and returns at once; its books (ProcessorMetrics), and Kafka Streams' own
   * metrics (threads, tasks, stores, and its clients' lag per partition) go to {@code registry}.
   */
  public static StreamsProcessorApp start(ProcessorConfig config, MeterRegistry registry) {
    LOG.info("Starting the Hourglass streams processor with:{}", config.describe());
    Rules rules = config.rules();
    LOG.info("Alert rules: {}", rules.rules().stream().map(Rule::name).toList());
    LiveRules live = new LiveRules(rules);
    Routing routing;
    try (Admin admin = Admin.create(config.adminProperties())) {
      routing = ReroutedTopics.prepare(admin, config.applicationId(), config.topics());
    }
    LOG.info("Event topic partitions: {}", routing.partitions());
    // Events written with a newer schema version than this build's are read once their producer
    // has published the schema (docs/clients.md, "Rolling out a schema change").
    String schemasTopic = config.topics().schemas().name();
    // And the processor publishes what it writes, so an older sink reads a newer processor's
    // rollups, alerts and dead letters.
    SchemaTopic.publishAll(
        config.clientProperties(),
        schemasTopic,
        KnownSchemas.TYPES.stream().map(t -> SpecificData.get().getSchema(t)).toList());
    SchemaTopic schemas = SchemaTopic.reading(config.clientProperties(), schemasTopic);
    Topics topics =
        config.topics().withFormat(new SingleObjectFormat(KnownSchemas.standard(schemas)));
    Topology topology =
        HourglassTopology.build(
            config.topology(), topics, live, routing, new ProcessorMetrics(registry));
    // Dozens of lines, the same on every start: for whoever debugs the topology.
    LOG.debug("Topology:\n{}", topology.describe());
    // Kafka Streams keeps each application's state in <state dir>/<application id>.
    Path appStateDir = config.stateDir().resolve(config.applicationId());
    if (StreamsConfig.EXACTLY_ONCE_V2.equals(config.processingGuarantee())) {
      UncleanExit.removeStateLeftByCrash(appStateDir);
    }
    RocksDBMemory rocksDBMemory = config.rocksDBMemory();
    Properties props = config.streamsProperties(rocksDBMemory);
    KafkaStreams streams = new KafkaStreams(topology, props);
    // A thread that dies on an unexpected error is replaced; under exactly-once the new one
    // resumes from the last commit, so the application keeps running without losing anything.
    streams.setUncaughtExceptionHandler(
        e -> {
          LOG.error("Stream thread failed; replacing it", e);
          return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    RestoreLog restores = new RestoreLog();
    streams.setGlobalStateRestoreListener(restores);
    streams.setStateListener(
        (now, before) -> {
          LOG.info("Streams processor state: {} -> {}", before, now);
          if (now == KafkaStreams.State.RUNNING) {
            restores.report();
          }
        });
    KafkaStreamsMetrics clientMetrics = new KafkaStreamsMetrics(streams);
    clientMetrics.bindTo(registry);
    streams.start();
    // A changed rules file applies from the next evaluation; a bad one is refused and logged.
    RulesWatcher watcher =
        config.rulesFile() == null
            ? null
            : new RulesWatcher(config.rulesFile(), live).start(RULES_CHECK_INTERVAL);
    // Kafka Streams stays in the group on close, so an instance started again waited for its
    // predecessor's session to expire (45 s) before anything ran. A dynamic member leaves, so the
    // group rebalances at once; a static member (group.instance.id) stays, and its successor takes
    // its place and its tasks without a rebalance, if it comes back within session.timeout.ms.
    return new StreamsProcessorApp(
        streams,
        rocksDBMemory,
        appStateDir,
        watcher,
        schemas,
        config.staticMember()
            ? CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP
            : CloseOptions.GroupMembershipOperation.LEAVE_GROUP,
        clientMetrics);
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /**
   * The state's name ({@code CREATED}, {@code REBALANCING}, {@code RUNNING}, {@code ERROR}, ...),
   * for callers that must not depend on Kafka Streams' types.
   */
  public String stateName() {
    return streams.state().name();
  }

  /** Alive: running, rebalancing or starting; not failed or stopped. */
  public boolean live() {
    KafkaStreams.State s = streams.state();
    return s == KafkaStreams.State.CREATED || s.isRunningOrRebalancing();
  }

  /**
   * Ready: {@code RUNNING}, which Kafka Streams reaches only once this instance owns its tasks and
   * every one of their stores is restored.
   */
  public boolean ready() {
    return streams.state() == KafkaStreams.State.RUNNING;
  }

  @Override
  public void close() {
    LOG.info("Stopping the Hourglass streams processor");
    if (rulesWatcher != null) {
      rulesWatcher.close();
    }
    boolean closed =
        streams.close(CloseOptions.timeout(CLOSE_TIMEOUT).withGroupMembershipOperation(onClose));
    // Only once every store is closed: a store still open would use freed memory. After a close
    // that timed out, the memory is left to the process's exit.
    if (closed) {
      rocksDBMemory.close();
      UncleanExit.markClosedCleanly(appStateDir);
    } else {
      LOG.warn("Kafka Streams did not close within {}; its RocksDB memory stays", CLOSE_TIMEOUT);
    }
    schemas.close();
    clientMetrics.close();
  }
}
