package dev.hourglass.producer;

import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import dev.hourglass.config.Declarations;
import dev.hourglass.config.Shared;
import dev.hourglass.config.Validators;
import dev.hourglass.config.Values;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.NonEmptyString;

/**
 * How an {@link EventPublisher} talks to Kafka: the keys of {@link #DECLARATIONS}, checked by the
 * configuration engine when built with {@link #from}: every bad value is reported at once, each as
 * {@code Invalid value X for configuration Y: why}; a bad value is never replaced by a default.
 *
 * <p>The defaults were chosen by measurement on the embedded broker (see {@code
 * producer/BENCHMARKS.md}): see {@link #DEFAULT_COMPRESSION}, {@link #DEFAULT_LINGER} and {@link
 * #DEFAULT_BATCH_SIZE}.
 *
 * @param bootstrapServers {@code bootstrap.servers}, required
 * @param topicPrefix {@code topic.prefix}, stands before every topic name (default {@code
 *     hourglass.})
 * @param clientId {@code client.id}, names the producer in broker logs and metrics
 * @param linger {@code linger.ms}, how long a batch waits for more records
 * @param batchSize {@code batch.size}, bytes per partition batch
 * @param compression {@code compression.type}: none, gzip, snappy, lz4 or zstd
 * @param bufferMemory {@code buffer.memory}, bytes of records waiting to be sent; a send blocks
 *     when it is full
 * @param maxBlock {@code max.block.ms}, how long a send blocks on a full buffer (or missing
 *     metadata) before it fails
 * @param deliveryTimeout {@code delivery.timeout.ms}, upper bound on a send including retries
 * @param requestTimeout {@code request.timeout.ms}, one produce request
 * @param maxInFlight {@code max.in.flight.requests.per.connection}, 1 to 5 (idempotence keeps order
 *     up to 5)
 * @param kafkaOverrides {@code kafka.<key>} entries: other Kafka producer settings (security, for
 *     example) passed through; the settings this class owns cannot be overridden this way
 */
public record PublisherConfig(
    String bootstrapServers,
    String topicPrefix,
    String clientId,
    Duration linger,
    int batchSize,
    String compression,
    long bufferMemory,
    Duration maxBlock,
    Duration deliveryTimeout,
    Duration requestTimeout,
    int maxInFlight,
    Map<String, String> kafkaOverrides) {

  public static final String BOOTSTRAP_SERVERS = Shared.BOOTSTRAP_SERVERS;
  public static final String TOPIC_PREFIX = Shared.TOPIC_PREFIX;
  public static final String CLIENT_ID = "client.id";
  public static final String LINGER_MS = "linger.ms";
  public static final String BATCH_SIZE = "batch.size";
  public static final String COMPRESSION_TYPE = "compression.type";
  public static final String BUFFER_MEMORY = "buffer.memory";
  public static final String MAX_BLOCK_MS = "max.block.ms";
  public static final String DELIVERY_TIMEOUT_MS = "delivery.timeout.ms";
  public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
  public static final String MAX_IN_FLIGHT = "max.in.flight.requests.per.connection";
  public static final String KAFKA_PREFIX = "kafka.";

  public static final String DEFAULT_TOPIC_PREFIX = "hourglass.";
  public static final String DEFAULT_CLIENT_ID = "hourglass-publisher";

  /**
   * snappy: at the rates services send (1,000 to 10,000 events/s, a batch of one or a few events
   * per partition) Kafka's lz4 stream allocates a fresh 64 KiB block buffer and a 64 KiB output
   * buffer for every batch, 8 to 19 times the bytes per event of no compression (BENCHMARKS.md,
   * "Compression at fixed rates"), and garbage collection is the benchmark's largest cost. snappy
   * takes its buffers from snappy-java's cache: the bytes per event of no compression at every
   * rate, lz4's throughput at full speed, and nearly lz4's compression rate (0.53 against 0.51 on
   * full batches). zstd compresses best but allocates 2 to 3 times none at those rates and was the
   * slowest at full speed.
   */
  public static final String DEFAULT_COMPRESSION = "snappy";

  /**
   * 5 ms: linger 0 was the slowest setting for every codec (many small batches, worse compression);
   * at full speed 20 ms was not faster beyond the noise. At 1,000 to 10,000 events/s 20 ms cut the
   * bytes allocated per event by a third or more, but that saves a few percent of one core, and it
   * adds up to 15 ms of latency to every send.
   */
  public static final Duration DEFAULT_LINGER = Duration.ofMillis(5);

  /**
   * 64 KiB: 16 KiB (Kafka's default) was slower in most cells of the grid, 256 KiB never faster,
   * and it holds four times the memory per partition.
   */
  public static final int DEFAULT_BATCH_SIZE = 64 * 1024;

  public static final long DEFAULT_BUFFER_MEMORY = 32L * 1024 * 1024;
  public static final Duration DEFAULT_MAX_BLOCK = Duration.ofSeconds(10);
  public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofMinutes(2);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_IN_FLIGHT = 5;

  /** Kafka's producer holds these timeouts in an int. */
  private static final ConfigDef.Validator INT_MS = between(1, Integer.MAX_VALUE);

  private static final ConfigDef.Validator COMPRESSIONS =
      Validators.oneOf("none", "gzip", "snappy", "lz4", "zstd");

  /** Settings the publisher owns; a {@code kafka.} override of them is refused. */
  static final List<String> OWNED =
      List.of(
          BOOTSTRAP_SERVERS,
          CLIENT_ID,
          LINGER_MS,
          BATCH_SIZE,
          COMPRESSION_TYPE,
          BUFFER_MEMORY,
          MAX_BLOCK_MS,
          DELIVERY_TIMEOUT_MS,
          REQUEST_TIMEOUT_MS,
          MAX_IN_FLIGHT,
          "acks",
          "enable.idempotence",
          "retries",
          "key.serializer",
          "value.serializer",
          "transactional.id");

  /** Every key {@link #from} reads. */
  public static final Declarations DECLARATIONS = declarations();

  private static Declarations declarations() {
    ConfigDef def = Shared.define(BOOTSTRAP_SERVERS, TOPIC_PREFIX);
    def.define(CLIENT_ID, STRING, DEFAULT_CLIENT_ID, new NonEmptyString(), LOW, "in broker logs");
    def.define(LINGER_MS, LONG, DEFAULT_LINGER.toMillis(), between(0, 60_000), MEDIUM, "batching");
    def.define(BATCH_SIZE, INT, DEFAULT_BATCH_SIZE, between(0, 16 << 20), MEDIUM, "batch bytes");
    def.define(COMPRESSION_TYPE, STRING, DEFAULT_COMPRESSION, COMPRESSIONS, MEDIUM, "codec");
    def.define(BUFFER_MEMORY, LONG, DEFAULT_BUFFER_MEMORY, atLeast(1), LOW, "bytes to send");
    def.define(MAX_BLOCK_MS, LONG, DEFAULT_MAX_BLOCK.toMillis(), atLeast(0), LOW, "send blocks");
    def.define(
        DELIVERY_TIMEOUT_MS, LONG, DEFAULT_DELIVERY_TIMEOUT.toMillis(), INT_MS, MEDIUM, "send");
    def.define(
        REQUEST_TIMEOUT_MS, LONG, DEFAULT_REQUEST_TIMEOUT.toMillis(), INT_MS, LOW, "request");
    def.define(MAX_IN_FLIGHT, INT, DEFAULT_MAX_IN_FLIGHT, between(1, 5), LOW, "in-flight requests");
    Declarations d =
        Declarations.of(def)
            .open("kafka.<setting>", KAFKA_PREFIX)
            .rule(
                BUFFER_MEMORY,
                List.of(BATCH_SIZE),
                v ->
                    v.getLong(BUFFER_MEMORY) >= v.getInt(BATCH_SIZE)
                        ? null
                        : "must be at least batch.size (" + v.getInt(BATCH_SIZE) + ")")
            .rule(
                DELIVERY_TIMEOUT_MS,
                List.of(LINGER_MS, REQUEST_TIMEOUT_MS),
                v -> {
                  // KafkaProducer refuses this combination at start; say so here with the figures.
                  long least = v.getLong(LINGER_MS) + v.getLong(REQUEST_TIMEOUT_MS);
                  return v.getLong(DELIVERY_TIMEOUT_MS) >= least
                      ? null
                      : "must be at least linger.ms + request.timeout.ms (" + least + ")";
                });
    for (String key : OWNED) {
      d =
          d.refuse(
              KAFKA_PREFIX + key,
              "set by the publisher itself"
                  + (d.definition().names().contains(key) ? "; use " + key : ""));
    }
    return d;
  }

  public PublisherConfig {
    kafkaOverrides = Map.copyOf(kafkaOverrides);
  }

  /** The defaults, talking to {@code bootstrapServers}. */
  public static PublisherConfig defaults(String bootstrapServers) {
    return from(Map.of(BOOTSTRAP_SERVERS, bootstrapServers));
  }

  /**
   * A config from dotted keys ({@code bootstrap.servers}, {@code linger.ms}, ..., {@code
   * kafka.<producer setting>}); absent keys take their defaults, unknown keys are refused.
   *
   * @throws dev.hourglass.config.ConfigException naming every bad key and value at once
   */
  public static PublisherConfig from(Map<String, String> values) {
    Values v = DECLARATIONS.parse(values);
    return new PublisherConfig(
        v.getString(BOOTSTRAP_SERVERS),
        v.getString(TOPIC_PREFIX),
        v.getString(CLIENT_ID),
        v.getDuration(LINGER_MS),
        v.getInt(BATCH_SIZE),
        v.getString(COMPRESSION_TYPE).toLowerCase(Locale.ROOT),
        v.getLong(BUFFER_MEMORY),
        v.getDuration(MAX_BLOCK_MS),
        v.getDuration(DELIVERY_TIMEOUT_MS),
        v.getDuration(REQUEST_TIMEOUT_MS),
        v.getInt(MAX_IN_FLIGHT),
        v.passThrough(KAFKA_PREFIX));
  }

  /** The same config with {@code key} set to {@code value} (dotted keys, as in {@link #from}). */
  public PublisherConfig with(String key, String value) {
    Map<String, String> map = new LinkedHashMap<>(asMap());
    map.put(key, value);
    return from(map);
  }

  /** The config as dotted keys, the inverse of {@link #from}. */
  public Map<String, String> asMap() {
    Map<String, String> map = new LinkedHashMap<>();
    map.put(BOOTSTRAP_SERVERS, bootstrapServers);
    map.put(TOPIC_PREFIX, topicPrefix);
    map.put(CLIENT_ID, clientId);
    map.put(LINGER_MS, Long.toString(linger.toMillis()));
    map.put(BATCH_SIZE, Integer.toString(batchSize));
    map.put(COMPRESSION_TYPE, compression);
    map.put(BUFFER_MEMORY, Long.toString(bufferMemory));
    map.put(MAX_BLOCK_MS, Long.toString(maxBlock.toMillis()));
    map.put(DELIVERY_TIMEOUT_MS, Long.toString(deliveryTimeout.toMillis()));
    map.put(REQUEST_TIMEOUT_MS, Long.toString(requestTimeout.toMillis()));
    map.put(MAX_IN_FLIGHT, Integer.toString(maxInFlight));
    new TreeMap<>(kafkaOverrides).forEach((k, v) -> map.put(KAFKA_PREFIX + k, v));
    return map;
  }

  /** The effective settings for the log, one per line, secrets shown as {@code <masked>}. */
  @Override
  public String toString() {
    return "PublisherConfig" + Declarations.describe(asMap());
  }
}
