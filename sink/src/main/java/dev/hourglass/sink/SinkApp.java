package dev.hourglass.sink;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hourglass.avro.KnownSchemas;
import dev.hourglass.avro.SchemaTopic;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.contract.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink: reads the event, rollup, alert and dead-letter topics (read_committed, no Kafka offset
 * commits) and writes them into PostgreSQL exactly once: each batch's rows and the next offset of
 * each partition it covers commit in one transaction into {@code sink_offsets}. See README.md in
 * this module for the protocol, fault handling and every setting.
 *
 * <p>Run it with {@code hourglass sink} (the CLI calls {@link #run(SinkApp)}), or in-process:
 * {@code new SinkApp(config).start()}, {@link #caughtUp()} to wait for the topics' ends, {@link
 * #close()}. Its meters (its books, its consumer's, its pool's) go to the registry it is given,
 * which {@link #registry()} hands on to anything else the sink runs.
 */
public final class SinkApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SinkApp.class);

  private final SinkConfig config;
  private final MeterRegistry registry;
  private final HikariDataSource dataSource;
  private final KafkaClientMetrics consumerMetrics;
  private final SinkLoop loop;
  private final SchemaTopic schemas;
  private final Thread thread;
  private final Maintenance maintenance;
  private Admin admin;

  /** Builds the sink without metrics; nothing connects until {@link #start()}. */
  public SinkApp(SinkConfig config) {
    // A composite registry with no registry in it: every meter is a no-op.
    this(config, FaultHook.NONE, new CompositeMeterRegistry());
  }

  /** Builds the sink, its meters registered in {@code registry}; nothing connects until started. */
  public SinkApp(SinkConfig config, MeterRegistry registry) {
    this(config, FaultHook.NONE, registry);
  }

  SinkApp(SinkConfig config, FaultHook hook) {
    this(config, hook, new CompositeMeterRegistry());
  }

  SinkApp(SinkConfig config, FaultHook hook, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
    this.maintenance = config.maintenance().enabled() ? Maintenance.create(config, registry) : null;
    HikariConfig pool = hikari(config);
    // HikariCP's own Micrometer tracker: connections active, idle, pending, acquire time.
    pool.setMetricRegistry(registry);
    this.dataSource = new HikariDataSource(pool);
    Properties properties = consumerProperties(config);
    Map<String, Object> clients = new HashMap<>();
    properties.forEach((k, v) -> clients.put((String) k, v));
    // Events written with a newer schema version than this build's are read once their producer
    // has published the schema (docs/clients.md, "Rolling out a schema change").
    this.schemas =
        SchemaTopic.reading(clients, Topics.withPrefix(config.topicPrefix()).schemas().name());
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties);
    this.consumerMetrics = new KafkaClientMetrics(consumer);
    consumerMetrics.bindTo(registry);
    SinkMetrics metrics = new SinkMetrics(registry, Clock.systemUTC());
    this.loop =
        new SinkLoop(
            config,
            consumer,
            new SingleObjectFormat(KnownSchemas.standard(schemas)),
            dataSource,
            hook,
            metrics);
    metrics.bind(loop);
    this.thread = new Thread(loop, "hourglass-sink");
    this.thread.setUncaughtExceptionHandler(
        (t, e) -> LOG.error("Sink thread died without closing: {}", e.toString()));
  }

  /** Logs the effective configuration (password masked) and starts the sink thread. */
  public void start() {
    LOG.info("Starting sink with:{}", config);
    thread.start();
    if (maintenance != null) {
      maintenance.start();
    } else {
      LOG.info(
          "Scheduled maintenance is off in this instance ({}=0); another sink may run it",
          MaintenanceConfig.CHECK_INTERVAL_MS);
    }
  }

  /**
   * Runs the sink until the JVM is asked to stop (SIGTERM, Ctrl-C), then closes it.
   *
   * @throws IllegalStateException when the sink stopped on a non-retriable error
   */
  public static void run(SinkConfig config, MeterRegistry registry) throws InterruptedException {
    run(new SinkApp(config, registry));
  }

  /** Starts {@code app} and runs it as {@link #run(SinkConfig, MeterRegistry)} does. */
  public static void run(SinkApp app) throws InterruptedException {
    Thread shutdown = new Thread(app::close, "hourglass-sink-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    app.start();
    app.thread.join();
    Optional<RuntimeException> failure = app.failure();
    if (failure.isPresent()) {
      Runtime.getRuntime().removeShutdownHook(shutdown);
      app.close();
      throw new IllegalStateException("Sink stopped: " + failure.get().getMessage(), failure.get());
    }
  }

  /** Records still to write: read-committed end offsets minus stored offsets, summed. */
  public long lag() {
    return lagByPartition().values().stream().mapToLong(Long::longValue).sum();
  }

  /** True when the offsets stored in PostgreSQL equal the topics' end offsets (I4). */
  public boolean caughtUp() {
    return lag() == 0;
  }

  Map<TopicPartition, Long> lagByPartition() {
    try {
      return OffsetsCheck.lag(admin(), dataSource, config.groupId(), loop.topics());
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read sink_offsets: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading end offsets", e);
    }
  }

  public SinkStats stats() {
    return loop.stats();
  }

  /** The non-retriable error the sink stopped on, if it did. */
  public Optional<RuntimeException> failure() {
    return Optional.ofNullable(loop.failure());
  }

  public boolean isRunning() {
    return thread.isAlive();
  }

  /** The registry the sink's meters are in, for whatever else runs with it. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Alive: the sink's thread runs and has not stopped on an error. */
  public boolean live() {
    return thread.isAlive() && loop.failure() == null;
  }

  /**
   * Ready: alive, in its group with every partition it owns seeked to the offsets stored in
   * PostgreSQL, and the database answers now.
   */
  public boolean ready() {
    if (!live() || !loop.ownsItsPartitions()) {
      return false;
    }
    try (Connection c = dataSource.getConnection()) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Stops the maintenance (releasing its lock) and the thread (the current batch finishes or rolls
   * back), then the pool.
   */
  @Override
  public void close() {
    if (maintenance != null) {
      maintenance.close();
    }
    loop.stop();
    if (thread.isAlive() && thread != Thread.currentThread()) {
      try {
        thread.join(config.statementTimeout().plus(Duration.ofSeconds(30)).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (!thread.isAlive()) {
      loop.closeAbandoned();
    }
    schemas.close();
    synchronized (this) {
      if (admin != null) {
        admin.close(Duration.ofSeconds(5));
        admin = null;
      }
    }
    dataSource.close();
    consumerMetrics.close();
  }

  private synchronized Admin admin() {
    if (admin == null) {
      admin = Admin.create(config.clientProperties());
    }
    return admin;
  }

  static HikariConfig hikari(SinkConfig config) {
    HikariConfig h = new HikariConfig();
    h.setPoolName("hourglass-sink");
    h.setJdbcUrl(config.jdbcUrl());
    h.setUsername(config.jdbcUser());
    h.setPassword(config.jdbcPassword());
    // One thread writes; the second connection serves partition creation and offset checks.
    h.setMaximumPoolSize(config.poolSize());
    h.setMinimumIdle(1);
    // Below PostgreSQL's and any proxy's idle limits, so the pool retires connections first.
    h.setMaxLifetime(config.poolMaxLifetime().toMillis());
    h.setConnectionTimeout(config.connectionTimeout().toMillis());
    // Every batch is one explicit transaction.
    h.setAutoCommit(false);
    // Start even when PostgreSQL is down: the loop waits and retries instead.
    h.setInitializationFailTimeout(-1);
    // Names the sink's sessions in pg_stat_activity.
    h.addDataSourceProperty("ApplicationName", "hourglass-sink");
    // Every wait on the server is bounded: a stuck statement, a lock held by a hung instance, and
    // a transaction a frozen instance left open (its locks go before its partitions move).
    h.addDataSourceProperty(
        "options",
        "-c statement_timeout="
            + config.statementTimeout().toMillis()
            + " -c lock_timeout="
            + config.lockTimeout().toMillis()
            + " -c idle_in_transaction_session_timeout="
            + config.idleInTransactionTimeout().toMillis());
    // A dead peer is noticed even when the server cannot send a reset.
    h.addDataSourceProperty("tcpKeepAlive", "true");
    h.addDataSourceProperty(
        "socketTimeout", String.valueOf(config.statementTimeout().toSeconds() + 30));
    return h;
  }

  static Properties consumerProperties(SinkConfig config) {
    Properties p = new Properties();
    // Every client's settings (kafka.*, security), then the consumer's own, which win.
    p.putAll(config.clientProperties());
    p.putAll(config.consumerOverrides());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    // Offsets live in PostgreSQL with the rows; Kafka's committed offsets are never used.
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // Only committed transactions of the processor: aborted rollups must never reach a table.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // A partition without a stored offset is read from its first record.
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Bounds memory together with sink.batch.size: one batch plus one poll.
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(config.maxPollRecords()));
    // The sink reads topics, it never creates them.
    p.putIfAbsent(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    // Keys are kept as bytes for dead letters; the sink never interprets them.
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    // Values are decoded by the sink, so that a record that does not decode is dead-lettered.
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }
}
