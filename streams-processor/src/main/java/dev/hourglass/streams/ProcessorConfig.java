package dev.hourglass.streams;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import dev.hourglass.avro.ValidationLimits;
import dev.hourglass.config.Declarations;
import dev.hourglass.config.Shared;
import dev.hourglass.config.Validators;
import dev.hourglass.config.Values;
import dev.hourglass.contract.AlertsFormat;
import dev.hourglass.contract.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;

/**
 * The streams processor's configuration: the {@code streams.*} keys and the shared {@code
 * bootstrap.servers} and {@code topic.prefix}, declared once in {@link #DECLARATIONS} and checked
 * by the configuration engine. Build it with {@link #from(Map)}; defaults and the reasons for them
 * are in streams-processor/README.md.
 *
 * @param bootstrapServers Kafka brokers
 * @param applicationId Kafka Streams application id: consumer group, transactional ids and the
 *     prefix of changelog topics
 * @param topicPrefix put before every topic name
 * @param grace how long after its end an hour still takes events before it closes
 * @param dedupHorizon how long an event_id is remembered, at least one hour + grace
 * @param emitInterval how often updated rollups are published
 * @param commitIntervalMs Kafka Streams commit interval (a transaction under exactly-once)
 * @param cacheMaxBytes Kafka Streams record cache over the state stores, all threads together
 * @param rocksDBMemoryBytes off-heap memory of all the instance's RocksDB stores together: block
 *     cache, index and filter blocks, and memtables
 * @param numStreamThreads stream threads in this instance
 * @param rulesFile the alert rules (YAML or JSON), or null for the built-in defaults
 * @param alertsFormat Avro or JSON on the alerts topic
 * @param stateDir where local state stores live
 * @param processingGuarantee exactly_once_v2, or at_least_once (for benchmarks)
 * @param correctionHorizon how long (stream time) a closed hour's totals are kept, so that a
 *     correction of it re-evaluates the alert rules
 * @param kafkaOverrides other Kafka Streams and client settings (keys {@code streams.kafka.*}
 *     without the prefix), such as {@code group.instance.id} or {@code group.protocol}
 * @param kafkaClient the settings every Kafka client gets (keys {@code kafka.*} without the
 *     prefix): security, for every client of the processor, its schema reader and admin included
 */
public record ProcessorConfig(
    String bootstrapServers,
    String applicationId,
    String topicPrefix,
    Duration grace,
    Duration dedupHorizon,
    Duration emitInterval,
    long commitIntervalMs,
    long cacheMaxBytes,
    long rocksDBMemoryBytes,
    int numStreamThreads,
    Path rulesFile,
    AlertsFormat alertsFormat,
    Path stateDir,
    String processingGuarantee,
    Duration correctionHorizon,
    Map<String, String> kafkaOverrides,
    Map<String, String> kafkaClient) {

  public ProcessorConfig {
    kafkaOverrides = Map.copyOf(kafkaOverrides);
    kafkaClient = Map.copyOf(kafkaClient);
  }

  public static final String BOOTSTRAP_SERVERS = Shared.BOOTSTRAP_SERVERS;
  public static final String TOPIC_PREFIX = Shared.TOPIC_PREFIX;
  public static final String APPLICATION_ID = "streams.application.id";
  public static final String GRACE_MS = "streams.grace.ms";
  public static final String DEDUP_HORIZON_MS = "streams.dedup.horizon.ms";
  public static final String EMIT_INTERVAL_MS = "streams.emit.interval.ms";
  public static final String COMMIT_INTERVAL_MS = "streams.commit.interval.ms";
  public static final String CACHE_MAX_BYTES = "streams.cache.max.bytes";
  public static final String ROCKSDB_MEMORY_BYTES = "streams.rocksdb.memory.bytes";
  public static final String NUM_STREAM_THREADS = "streams.num.stream.threads";
  public static final String RULES_FILE = "streams.rules.file";
  public static final String ALERTS_FORMAT = Shared.ALERTS_FORMAT;
  public static final String STATE_DIR = "streams.state.dir";
  public static final String PROCESSING_GUARANTEE = "streams.processing.guarantee";
  public static final String CORRECTION_HORIZON_MS = "streams.alerts.correction.horizon.ms";
  static final String KAFKA_PREFIX = "streams.kafka.";

  /**
   * Kafka Streams settings the processor sets itself: each named with the key that sets it, or the
   * reason it is fixed. Any other Kafka Streams or client setting passes through {@code
   * streams.kafka.*}.
   */
  static final Map<String, String> FIXED_KAFKA_KEYS = fixedKafkaKeys();

  private static Map<String, String> fixedKafkaKeys() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(StreamsConfig.APPLICATION_ID_CONFIG, "set it with " + APPLICATION_ID);
    m.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "set it with " + BOOTSTRAP_SERVERS);
    m.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "set it with " + PROCESSING_GUARANTEE);
    m.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "set it with " + COMMIT_INTERVAL_MS);
    m.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "set it with " + CACHE_MAX_BYTES);
    m.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "set it with " + NUM_STREAM_THREADS);
    m.put(StreamsConfig.STATE_DIR_CONFIG, "set it with " + STATE_DIR);
    m.put(
        StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
        "the processor sets it itself; bound RocksDB's memory with " + ROCKSDB_MEMORY_BYTES);
    String handlers = "the processor sets it itself; dead letters depend on it";
    m.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, handlers);
    m.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, handlers);
    m.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, handlers);
    m.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, handlers);
    // The deprecated names of the same two handlers (spelt out: their constants are deprecated).
    m.put("default.deserialization.exception.handler", handlers);
    m.put("default.production.exception.handler", handlers);
    m.put(
        StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG,
        "the processor sets it itself; its topic names are part of the contract");
    return Map.copyOf(m);
  }

  private static final ConfigDef.Validator NAME =
      Validators.matching("[A-Za-z0-9._-]+", "must be letters, digits, '.', '_', '-' (not empty)");
  private static final ConfigDef.Validator READABLE_OR_EMPTY =
      (key, value) -> {
        String file = (String) value;
        if (!file.isEmpty() && !Files.isReadable(Path.of(file))) {
          throw new org.apache.kafka.common.config.ConfigException(
              key, value, "no readable file there");
        }
      };

  private static final long MIB = 1024L * 1024;
  private static final long HOUR_MS = Duration.ofHours(1).toMillis();
  private static final long DAY_MS = Duration.ofDays(1).toMillis();

  /** Every key the streams processor reads. */
  public static final Declarations DECLARATIONS = declarations();

  private static Declarations declarations() {
    ConfigDef def = Shared.define(BOOTSTRAP_SERVERS, TOPIC_PREFIX, ALERTS_FORMAT);
    def.define(APPLICATION_ID, STRING, "hourglass-streams", NAME, HIGH, "group, transactional ids");
    def.define(GRACE_MS, LONG, 600_000L, between(0, DAY_MS), HIGH, "how late an event may come");
    def.define(
        DEDUP_HORIZON_MS,
        LONG,
        7_200_000L,
        between(HOUR_MS, 30 * DAY_MS),
        MEDIUM,
        "event_id memory");
    // 250 ms, chosen by bench pipeline's freshness runs (BENCHMARKS.md, "Emit interval and batch
    // wait"): with the sink's 100 ms batch wait it cut send-to-rollup p50 from 1.13 s to 0.41 s and
    // p99 from 1.99 s to 1.43 s at 2,863 events/s, at no visible cost in capacity.
    def.define(EMIT_INTERVAL_MS, LONG, 250L, between(10, HOUR_MS), MEDIUM, "rollup update period");
    def.define(COMMIT_INTERVAL_MS, LONG, 100L, between(10, 600_000), MEDIUM, "exactly-once commit");
    def.define(CACHE_MAX_BYTES, LONG, 10L * 1024 * 1024, atLeast(0), LOW, "record cache");
    def.define(
        ROCKSDB_MEMORY_BYTES,
        LONG,
        128 * MIB,
        atLeast(16 * MIB),
        MEDIUM,
        "RocksDB block cache and memtables, all stores");
    def.define(NUM_STREAM_THREADS, INT, 1, between(1, 64), MEDIUM, "threads per instance");
    def.define(RULES_FILE, STRING, "", READABLE_OR_EMPTY, MEDIUM, "alert rules; empty: built-in");
    def.define(STATE_DIR, STRING, "", HIGH, "state stores; empty: Kafka Streams' default");
    def.define(
        PROCESSING_GUARANTEE,
        STRING,
        StreamsConfig.EXACTLY_ONCE_V2,
        ConfigDef.ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE),
        LOW,
        "at_least_once for benchmarks only");
    def.define(
        CORRECTION_HORIZON_MS,
        LONG,
        DAY_MS,
        between(HOUR_MS, 30 * DAY_MS),
        LOW,
        "closed hours kept for alerts on corrections");
    Declarations d =
        Shared.withKafkaClient(Declarations.of(def))
            .open("streams.kafka.*", KAFKA_PREFIX)
            .renamed("streams.grace", GRACE_MS)
            .renamed("streams.dedup.horizon", DEDUP_HORIZON_MS)
            .renamed("streams.emit.interval", EMIT_INTERVAL_MS)
            .rule(
                DEDUP_HORIZON_MS,
                List.of(GRACE_MS),
                v -> {
                  long least = HOUR_MS + v.getLong(GRACE_MS);
                  return v.getLong(DEDUP_HORIZON_MS) >= least
                      ? null
                      : "must be at least the window (3600000) plus " + GRACE_MS + ": " + least;
                });
    for (Map.Entry<String, String> fixed : FIXED_KAFKA_KEYS.entrySet()) {
      d = d.refuse(KAFKA_PREFIX + fixed.getKey(), fixed.getValue());
    }
    return d;
  }

  /**
   * The configuration from {@code settings}: absent keys take their default; an unknown or renamed
   * key is an error, so a misspelt key never leaves its default silently in force.
   *
   * @throws dev.hourglass.config.ConfigException naming every problem at once
   */
  public static ProcessorConfig from(Map<String, String> settings) {
    return from(DECLARATIONS.parse(settings));
  }

  /** The configuration from settings the engine has checked against {@link #DECLARATIONS}. */
  public static ProcessorConfig from(Values v) {
    String rules = v.getString(RULES_FILE);
    String stateDir = v.getString(STATE_DIR);
    return new ProcessorConfig(
        v.getString(BOOTSTRAP_SERVERS),
        v.getString(APPLICATION_ID),
        v.getString(TOPIC_PREFIX),
        v.getDuration(GRACE_MS),
        v.getDuration(DEDUP_HORIZON_MS),
        v.getDuration(EMIT_INTERVAL_MS),
        v.getLong(COMMIT_INTERVAL_MS),
        v.getLong(CACHE_MAX_BYTES),
        v.getLong(ROCKSDB_MEMORY_BYTES),
        v.getInt(NUM_STREAM_THREADS),
        rules.isEmpty() ? null : Path.of(rules),
        AlertsFormat.valueOf(v.getString(ALERTS_FORMAT).toUpperCase(Locale.ROOT)),
        stateDir.isEmpty()
            ? Path.of(System.getProperty("java.io.tmpdir"), "kafka-streams")
            : Path.of(stateDir),
        v.getString(PROCESSING_GUARANTEE),
        v.getDuration(CORRECTION_HORIZON_MS),
        v.passThrough(KAFKA_PREFIX),
        v.passThrough(Shared.KAFKA_CLIENT_PREFIX));
  }

  /** The topics, named with {@link #topicPrefix()}. */
  public Topics topics() {
    return Topics.withPrefix(topicPrefix, alertsFormat);
  }

  /** The alert rules: {@link #rulesFile()}, or the built-in defaults. */
  public Rules rules() {
    return rulesFile == null ? Rules.defaults() : Rules.load(rulesFile);
  }

  TopologySettings topology() {
    return new TopologySettings(
        grace, dedupHorizon, emitInterval, ValidationLimits.defaults(), correctionHorizon);
  }

  /**
   * The memory all of this instance's RocksDB stores share, {@link #rocksDBMemoryBytes()} in all:
   * pass it to {@link #streamsProperties(RocksDBMemory)} and close it after Kafka Streams.
   */
  RocksDBMemory rocksDBMemory() {
    return RocksDBMemory.of(rocksDBMemoryBytes);
  }

  /**
   * The Kafka Streams settings, with the RocksDB stores on {@code memory}. Every setting that
   * differs from Kafka's default says why.
   */
  Properties streamsProperties(RocksDBMemory memory) {
    Properties p = new Properties();
    // Every client's settings (kafka.*, security), then the processor's own (streams.kafka.*),
    // which win; none of them is one of the keys set below.
    p.putAll(kafkaClient);
    p.putAll(kafkaOverrides);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    // Rollups, alerts, dead letters and offsets commit together or not at all.
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
    // 100 ms (Kafka's exactly-once default, set for at-least-once too): measured (BENCHMARKS.md)
    // no throughput cost against 1 s here, and committed rollups reach read_committed readers
    // sooner.
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(commitIntervalMs));
    // Kafka's 10 MiB default unless configured: absorbs repeated puts of hot windows between
    // commits.
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(cacheMaxBytes));
    // One thread per instance by default: the processor scales out by instances (each with its
    // own state directory and CPU) up to the partition count, and one thread keeps an instance's
    // memory and state small; raise it to use several cores in one instance.
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(numStreamThreads));
    // Every RocksDB store on one cache and write buffer budget (streams.rocksdb.memory.bytes):
    // Kafka's defaults give each store segment its own cache and memtables, unbounded in total.
    p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDB.class.getName());
    p.put(RocksDBMemory.CONFIG, memory);
    // Local state survives restarts only outside /tmp cleaners; configurable for that reason.
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    // Our DeadLetter handlers write here; named by Kafka's own dead-letter-queue setting.
    p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics().deadLetters().name());
    // Backstop behind the topology's own catch: dead-letter a record a processor threw on.
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterProcessingHandler.class.getName());
    // Backstop for a source deserializer that throws (ours read bytes and cannot).
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterDeserializationHandler.class.getName());
    // Stated on purpose (it is the default): an output that cannot be written fails the task,
    // never silently drops a rollup.
    p.put(
        StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DefaultProductionExceptionHandler.class.getName());
    // Every store and node is named; refuse to start if an auto-named internal topic appears.
    p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true");
    return p;
  }

  /**
   * The settings every Kafka client of the processor shares: where the brokers are and how to
   * authenticate ({@code kafka.*}).
   */
  Map<String, Object> clientProperties() {
    Map<String, Object> p = new LinkedHashMap<>(kafkaClient);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return p;
  }

  /** Whether this instance is a static group member: {@code streams.kafka.group.instance.id}. */
  boolean staticMember() {
    return kafkaOverrides.keySet().stream().anyMatch(k -> k.endsWith("group.instance.id"));
  }

  /** For the Admin client that looks up partition counts and prepares the rerouted topics. */
  Properties adminProperties() {
    Properties p = new Properties();
    p.putAll(clientProperties());
    return p;
  }

  /** The effective configuration by key, as {@link #from(Map)} reads it. */
  public Map<String, String> settings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(BOOTSTRAP_SERVERS, bootstrapServers);
    m.put(TOPIC_PREFIX, topicPrefix);
    m.put(APPLICATION_ID, applicationId);
    m.put(GRACE_MS, Long.toString(grace.toMillis()));
    m.put(DEDUP_HORIZON_MS, Long.toString(dedupHorizon.toMillis()));
    m.put(EMIT_INTERVAL_MS, Long.toString(emitInterval.toMillis()));
    m.put(COMMIT_INTERVAL_MS, Long.toString(commitIntervalMs));
    m.put(CACHE_MAX_BYTES, Long.toString(cacheMaxBytes));
    m.put(ROCKSDB_MEMORY_BYTES, Long.toString(rocksDBMemoryBytes));
    m.put(NUM_STREAM_THREADS, Integer.toString(numStreamThreads));
    m.put(RULES_FILE, rulesFile == null ? "" : rulesFile.toString());
    m.put(ALERTS_FORMAT, alertsFormat.name().toLowerCase(Locale.ROOT));
    m.put(STATE_DIR, stateDir.toString());
    m.put(PROCESSING_GUARANTEE, processingGuarantee);
    m.put(CORRECTION_HORIZON_MS, Long.toString(correctionHorizon.toMillis()));
    new java.util.TreeMap<>(kafkaOverrides).forEach((k, value) -> m.put(KAFKA_PREFIX + k, value));
    m.putAll(Shared.asKafkaKeys(kafkaClient));
    return m;
  }

  /** The effective configuration, one key per line, for the start-up log. */
  public String describe() {
    return Declarations.describe(settings());
  }
}
