package dev.hourglass.sink;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import dev.hourglass.config.Declarations;
import dev.hourglass.config.Shared;
import dev.hourglass.config.Validators;
import dev.hourglass.config.Values;
import dev.hourglass.contract.AlertsFormat;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.NonEmptyString;

/**
 * Everything the sink needs: the {@code sink.*} keys and the shared {@code bootstrap.servers},
 * {@code topic.prefix} and {@code jdbc.*}, declared once in {@link #DECLARATIONS} and checked by
 * the configuration engine. {@link #toString()} masks the password.
 *
 * @param bootstrapServers Kafka brokers
 * @param topicPrefix prefix of every topic name ({@code hourglass.})
 * @param groupId the consumer group, also the key of the offsets stored in {@code sink_offsets}
 * @param jdbcUrl a {@code jdbc:postgresql:} URL
 * @param jdbcUser a login that is a member of {@code hourglass_writer}
 * @param jdbcPassword its password (may be empty)
 * @param batchSize records per database transaction; with {@code maxPollRecords} it bounds memory
 * @param batchMaxWait longest a record waits in a partly filled batch
 * @param maxPollRecords records one poll may return
 * @param poolSize database connections
 * @param poolMaxLifetime a connection is replaced after this long, below server and proxy limits
 * @param connectionTimeout how long to wait for a connection before the attempt counts as failed
 * @param statementTimeout the server cancels a statement after this long (a transient error)
 * @param lockTimeout the server cancels a statement that waits this long for a lock (a transient
 *     error), so that a hung instance's locks cannot block the others indefinitely
 * @param idleInTransactionTimeout the server ends a session whose transaction stays idle this long
 *     (a frozen instance), releasing its locks; below the consumer's session timeout, so that a
 *     paused instance's transaction is gone before its partitions can move
 * @param retryInitialBackoff first wait after a transient database error
 * @param retryMaxBackoff the wait never grows beyond this
 * @param retryMaxAttempts attempts logged as {@code attempt n/max}; after them the sink keeps
 *     retrying at {@code retryMaxBackoff} and logs at ERROR, since stopping would not lose data but
 *     would stop the pipeline
 * @param acceptRetentionGaps resume a partition whose stored offset Kafka's retention has deleted
 *     from its first remaining record, accepting that the records in between never reach
 *     PostgreSQL; false: the sink refuses to start such a partition and names it
 * @param consumerOverrides extra Kafka consumer settings (keys {@code sink.consumer.*} without the
 *     prefix)
 * @param alertsFormat the format of the database alerts the maintenance publishes ({@code
 *     streams.alerts.format}, the processor's)
 * @param maintenance the scheduled maintenance ({@code sink.maintenance.*})
 * @param reads the topics this instance writes: all of them, or one of the two paths, so that the
 *     rollups, alerts and dead letters never wait behind raw-event writes (see {@link Reads})
 * @param synchronousCommit true: the batch transactions commit with the server's {@code
 *     synchronous_commit}; false: with {@code synchronous_commit = off}, so that a commit does not
 *     wait for its WAL flush. A database crash may then lose the last commits, rows and offsets
 *     together; the sink notices that the stored offsets went back and replays from Kafka
 * @param kafkaClient the settings every Kafka client of the sink gets (keys {@code kafka.*} without
 *     the prefix): security, for its consumer, schema reader, admin and producer
 */
public record SinkConfig(
    String bootstrapServers,
    String topicPrefix,
    String groupId,
    String jdbcUrl,
    String jdbcUser,
    String jdbcPassword,
    int batchSize,
    Duration batchMaxWait,
    int maxPollRecords,
    int poolSize,
    Duration poolMaxLifetime,
    Duration connectionTimeout,
    Duration statementTimeout,
    Duration lockTimeout,
    Duration idleInTransactionTimeout,
    Duration retryInitialBackoff,
    Duration retryMaxBackoff,
    int retryMaxAttempts,
    boolean acceptRetentionGaps,
    Map<String, String> consumerOverrides,
    AlertsFormat alertsFormat,
    MaintenanceConfig maintenance,
    Reads reads,
    boolean synchronousCommit,
    Map<String, String> kafkaClient) {

  /**
   * Which of the sink's topics an instance reads. Two instances of one group, one {@code DERIVED}
   * and one {@code EVENTS}, split the work into two paths with their own consumer, connection and
   * transactions; each path's partitions keep their offsets beside their rows, as with {@code ALL},
   * so exactly-once holds per path.
   */
  public enum Reads {
    /** Every topic the sink writes. */
    ALL,
    /** What the streams processor derives: rollups, alerts and dead letters. */
    DERIVED,
    /** The raw events of every family, into the seed's tables. */
    EVENTS
  }

  public static final String GROUP_ID = "sink.group.id";
  public static final String BATCH_SIZE = "sink.batch.size";
  public static final String BATCH_MAX_WAIT_MS = "sink.batch.max.wait.ms";
  public static final String MAX_POLL_RECORDS = "sink.max.poll.records";
  public static final String POOL_SIZE = "sink.pool.size";
  public static final String POOL_MAX_LIFETIME_MS = "sink.pool.max.lifetime.ms";
  public static final String POOL_CONNECTION_TIMEOUT_MS = "sink.pool.connection.timeout.ms";
  public static final String STATEMENT_TIMEOUT_MS = "sink.statement.timeout.ms";
  public static final String LOCK_TIMEOUT_MS = "sink.lock.timeout.ms";
  public static final String IDLE_IN_TRANSACTION_TIMEOUT_MS = "sink.idle.in.transaction.timeout.ms";
  public static final String RETRY_INITIAL_BACKOFF_MS = "sink.retry.initial.backoff.ms";
  public static final String RETRY_MAX_BACKOFF_MS = "sink.retry.max.backoff.ms";
  public static final String RETRY_MAX_ATTEMPTS = "sink.retry.max.attempts";
  public static final String READS = "sink.reads";
  public static final String ACCEPT_RETENTION_GAPS = "sink.accept.retention.gaps";
  public static final String SYNCHRONOUS_COMMIT = "sink.synchronous.commit";
  static final String CONSUMER_PREFIX = "sink.consumer.";
  private static final long DAY_MS = Duration.ofDays(1).toMillis();

  /** Consumer settings the exactly-once protocol depends on: not overridable. */
  static final List<String> FIXED_CONSUMER_KEYS =
      List.of(
          "enable.auto.commit",
          "isolation.level",
          "group.id",
          "bootstrap.servers",
          "key.deserializer",
          "value.deserializer",
          "max.poll.records",
          "auto.offset.reset");

  /** Every key the sink reads. */
  public static final Declarations DECLARATIONS = declarations();

  private static Declarations declarations() {
    ConfigDef def =
        Shared.define(
            Shared.BOOTSTRAP_SERVERS,
            Shared.TOPIC_PREFIX,
            Shared.JDBC_URL,
            Shared.JDBC_USER,
            Shared.JDBC_PASSWORD,
            Shared.ALERTS_FORMAT,
            Shared.JDBC_PASSWORD_FILE);
    MaintenanceConfig.define(def);
    def.define(GROUP_ID, STRING, "hourglass-sink", new NonEmptyString(), HIGH, "consumer group");
    def.define(BATCH_SIZE, INT, 5000, between(1, 1_000_000), HIGH, "records per transaction");
    // 100 ms, chosen with streams.emit.interval.ms by bench pipeline's freshness runs: a batch
    // fills to sink.batch.size anyway when records come fast, so the wait only bounds a trickle.
    def.define(BATCH_MAX_WAIT_MS, LONG, 100L, between(1, 600_000), MEDIUM, "wait for a batch");
    def.define(MAX_POLL_RECORDS, INT, 1000, between(1, 100_000), MEDIUM, "records per poll");
    def.define(POOL_SIZE, INT, 2, between(1, 16), MEDIUM, "database connections");
    def.define(POOL_MAX_LIFETIME_MS, LONG, 1_800_000L, between(30_000, DAY_MS), LOW, "lifetime");
    def.define(POOL_CONNECTION_TIMEOUT_MS, LONG, 5000L, between(250, 600_000), LOW, "connecting");
    def.define(STATEMENT_TIMEOUT_MS, LONG, 60_000L, between(1_000, 3_600_000), LOW, "statements");
    def.define(LOCK_TIMEOUT_MS, LONG, 10_000L, between(100, 3_600_000), LOW, "lock waits");
    def.define(
        IDLE_IN_TRANSACTION_TIMEOUT_MS,
        LONG,
        30_000L,
        between(1_000, 3_600_000),
        LOW,
        "idle transactions");
    def.define(RETRY_INITIAL_BACKOFF_MS, LONG, 200L, between(1, 600_000), LOW, "first wait");
    def.define(RETRY_MAX_BACKOFF_MS, LONG, 30_000L, between(1, 3_600_000), LOW, "longest wait");
    def.define(RETRY_MAX_ATTEMPTS, INT, 10, between(1, 1_000), LOW, "attempts before ERROR");
    def.define(
        READS,
        STRING,
        "all",
        Validators.oneOf("all", "derived", "events"),
        MEDIUM,
        "the topics this instance writes");
    def.define(ACCEPT_RETENTION_GAPS, BOOLEAN, false, HIGH, "resume past deleted records");
    def.define(
        SYNCHRONOUS_COMMIT,
        STRING,
        "on",
        Validators.oneOf("on", "off"),
        MEDIUM,
        "synchronous_commit of the batch transactions");
    Declarations d =
        Shared.withKafkaClient(Shared.withPasswordFileRule(Declarations.of(def)))
            .open("sink.consumer.*", CONSUMER_PREFIX)
            .rule(
                MAX_POLL_RECORDS,
                List.of(BATCH_SIZE),
                v ->
                    v.getInt(MAX_POLL_RECORDS) <= v.getInt(BATCH_SIZE)
                        ? null
                        : "must be at most "
                            + BATCH_SIZE
                            + " ("
                            + v.getInt(BATCH_SIZE)
                            + ") so that memory stays bounded")
            .rule(
                RETRY_MAX_BACKOFF_MS,
                List.of(RETRY_INITIAL_BACKOFF_MS),
                v ->
                    v.getLong(RETRY_MAX_BACKOFF_MS) >= v.getLong(RETRY_INITIAL_BACKOFF_MS)
                        ? null
                        : "must be at least "
                            + RETRY_INITIAL_BACKOFF_MS
                            + " ("
                            + v.getLong(RETRY_INITIAL_BACKOFF_MS)
                            + ")");
    for (String key : FIXED_CONSUMER_KEYS) {
      d = d.refuse(CONSUMER_PREFIX + key, "the sink sets it itself; exactly-once depends on it");
    }
    return d;
  }

  public SinkConfig {
    consumerOverrides = Map.copyOf(consumerOverrides);
    kafkaClient = Map.copyOf(kafkaClient);
  }

  /** {@code bootstrap.servers} and the {@code kafka.*} settings: what every client of it gets. */
  public Map<String, Object> clientProperties() {
    Map<String, Object> p = new LinkedHashMap<>(kafkaClient);
    p.put(Shared.BOOTSTRAP_SERVERS, bootstrapServers);
    return p;
  }

  /**
   * The configuration from {@code settings}: absent keys take their default; unknown keys are
   * errors, so a misspelt key is not silently ignored. Keys {@code sink.consumer.*} pass to the
   * Kafka consumer.
   *
   * @throws dev.hourglass.config.ConfigException naming every problem at once
   */
  public static SinkConfig from(Map<String, String> settings) {
    return from(DECLARATIONS.parse(settings));
  }

  /** The configuration from settings the engine has checked against {@link #DECLARATIONS}. */
  public static SinkConfig from(Values v) {
    return new SinkConfig(
        v.getString(Shared.BOOTSTRAP_SERVERS),
        v.getString(Shared.TOPIC_PREFIX),
        v.getString(GROUP_ID),
        v.getString(Shared.JDBC_URL),
        v.getString(Shared.JDBC_USER),
        Shared.jdbcPassword(v),
        v.getInt(BATCH_SIZE),
        v.getDuration(BATCH_MAX_WAIT_MS),
        v.getInt(MAX_POLL_RECORDS),
        v.getInt(POOL_SIZE),
        v.getDuration(POOL_MAX_LIFETIME_MS),
        v.getDuration(POOL_CONNECTION_TIMEOUT_MS),
        v.getDuration(STATEMENT_TIMEOUT_MS),
        v.getDuration(LOCK_TIMEOUT_MS),
        v.getDuration(IDLE_IN_TRANSACTION_TIMEOUT_MS),
        v.getDuration(RETRY_INITIAL_BACKOFF_MS),
        v.getDuration(RETRY_MAX_BACKOFF_MS),
        v.getInt(RETRY_MAX_ATTEMPTS),
        v.getBoolean(ACCEPT_RETENTION_GAPS),
        v.passThrough(CONSUMER_PREFIX),
        AlertsFormat.valueOf(v.getString(Shared.ALERTS_FORMAT).toUpperCase(Locale.ROOT)),
        MaintenanceConfig.from(v),
        Reads.valueOf(v.getString(READS).toUpperCase(Locale.ROOT)),
        "on".equalsIgnoreCase(v.getString(SYNCHRONOUS_COMMIT)),
        v.passThrough(Shared.KAFKA_CLIENT_PREFIX));
  }

  /** The effective configuration by key, as {@link #from(Map)} reads it. */
  public Map<String, String> settings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(Shared.BOOTSTRAP_SERVERS, bootstrapServers);
    m.put(Shared.TOPIC_PREFIX, topicPrefix);
    m.put(Shared.JDBC_URL, jdbcUrl);
    m.put(Shared.JDBC_USER, jdbcUser);
    m.put(Shared.JDBC_PASSWORD, jdbcPassword);
    m.put(GROUP_ID, groupId);
    m.put(BATCH_SIZE, Integer.toString(batchSize));
    m.put(BATCH_MAX_WAIT_MS, Long.toString(batchMaxWait.toMillis()));
    m.put(MAX_POLL_RECORDS, Integer.toString(maxPollRecords));
    m.put(POOL_SIZE, Integer.toString(poolSize));
    m.put(POOL_MAX_LIFETIME_MS, Long.toString(poolMaxLifetime.toMillis()));
    m.put(POOL_CONNECTION_TIMEOUT_MS, Long.toString(connectionTimeout.toMillis()));
    m.put(STATEMENT_TIMEOUT_MS, Long.toString(statementTimeout.toMillis()));
    m.put(LOCK_TIMEOUT_MS, Long.toString(lockTimeout.toMillis()));
    m.put(IDLE_IN_TRANSACTION_TIMEOUT_MS, Long.toString(idleInTransactionTimeout.toMillis()));
    m.put(RETRY_INITIAL_BACKOFF_MS, Long.toString(retryInitialBackoff.toMillis()));
    m.put(RETRY_MAX_BACKOFF_MS, Long.toString(retryMaxBackoff.toMillis()));
    m.put(RETRY_MAX_ATTEMPTS, Integer.toString(retryMaxAttempts));
    m.put(READS, reads.name().toLowerCase(Locale.ROOT));
    m.put(ACCEPT_RETENTION_GAPS, Boolean.toString(acceptRetentionGaps));
    m.put(SYNCHRONOUS_COMMIT, synchronousCommit ? "on" : "off");
    new TreeMap<>(consumerOverrides).forEach((k, v) -> m.put(CONSUMER_PREFIX + k, v));
    m.put(Shared.ALERTS_FORMAT, alertsFormat.name().toLowerCase(Locale.ROOT));
    maintenance.putSettings(m);
    m.putAll(Shared.asKafkaKeys(kafkaClient));
    return m;
  }

  /** The effective configuration, one key per line, secrets as {@code <masked>}. */
  @Override
  public String toString() {
    return Declarations.describe(settings());
  }
}
