package dev.hourglass.producer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How an {@link EventPublisher} talks to Kafka. Validated when built: every bad value is reported
 * at once, each as {@code Invalid value X for configuration Y: why}; a bad value is never replaced
 * by a default.
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

  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String TOPIC_PREFIX = "topic.prefix";
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
   * lz4: measured on the embedded broker (BENCHMARKS.md), it halves the bytes sent and stored
   * (compression rate 0.49-0.53 on generated events) at a throughput that none, lz4 and snappy
   * share within the run-to-run noise of a shared 2-core machine; zstd compresses more (0.30-0.43)
   * but was the slowest in every pass, and snappy compresses less (0.49-0.67).
   */
  public static final String DEFAULT_COMPRESSION = "lz4";

  /**
   * 5 ms: linger 0 was the slowest setting for every codec (many small batches, worse compression);
   * 20 ms was not faster beyond the noise, and adds up to 15 ms of latency to every send.
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

  static final Set<String> COMPRESSIONS = Set.of("none", "gzip", "snappy", "lz4", "zstd");

  /** Settings the publisher owns; a {@code kafka.} override of them is refused. */
  static final Set<String> OWNED =
      Set.of(
          "bootstrap.servers",
          "client.id",
          "linger.ms",
          "batch.size",
          "compression.type",
          "buffer.memory",
          "max.block.ms",
          "delivery.timeout.ms",
          "request.timeout.ms",
          "max.in.flight.requests.per.connection",
          "acks",
          "enable.idempotence",
          "retries",
          "key.serializer",
          "value.serializer",
          "transactional.id");

  private static final Set<String> KEYS =
      Set.of(
          BOOTSTRAP_SERVERS,
          TOPIC_PREFIX,
          CLIENT_ID,
          LINGER_MS,
          BATCH_SIZE,
          COMPRESSION_TYPE,
          BUFFER_MEMORY,
          MAX_BLOCK_MS,
          DELIVERY_TIMEOUT_MS,
          REQUEST_TIMEOUT_MS,
          MAX_IN_FLIGHT);

  public PublisherConfig {
    kafkaOverrides = kafkaOverrides == null ? null : Map.copyOf(kafkaOverrides);
    List<String> problems =
        problems(
            bootstrapServers,
            topicPrefix,
            clientId,
            linger,
            batchSize,
            compression,
            bufferMemory,
            maxBlock,
            deliveryTimeout,
            requestTimeout,
            maxInFlight,
            kafkaOverrides);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /** The defaults, talking to {@code bootstrapServers}. */
  public static PublisherConfig defaults(String bootstrapServers) {
    return from(Map.of(BOOTSTRAP_SERVERS, bootstrapServers));
  }

  /**
   * A config from dotted keys ({@code bootstrap.servers}, {@code linger.ms}, ..., {@code
   * kafka.<producer setting>}); absent keys take their defaults, unknown keys are refused.
   *
   * @throws IllegalArgumentException naming every bad key and value at once
   */
  public static PublisherConfig from(Map<String, String> values) {
    List<String> problems = new ArrayList<>();
    Map<String, String> overrides = new TreeMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
      String key = e.getKey();
      if (key.startsWith(KAFKA_PREFIX) && key.length() > KAFKA_PREFIX.length()) {
        overrides.put(key.substring(KAFKA_PREFIX.length()), e.getValue());
      } else if (!KEYS.contains(key)) {
        problems.add(
            "Invalid value "
                + e.getValue()
                + " for configuration "
                + key
                + ": unknown key (known: "
                + String.join(", ", new java.util.TreeSet<>(KEYS))
                + ", kafka.<producer setting>)");
      }
    }
    Parser p = new Parser(values, problems);
    String bootstrap = values.get(BOOTSTRAP_SERVERS);
    String prefix = values.getOrDefault(TOPIC_PREFIX, DEFAULT_TOPIC_PREFIX);
    String clientId = values.getOrDefault(CLIENT_ID, DEFAULT_CLIENT_ID);
    Duration linger = p.millis(LINGER_MS, DEFAULT_LINGER);
    int batchSize = (int) p.number(BATCH_SIZE, DEFAULT_BATCH_SIZE, Integer.MAX_VALUE);
    String compression =
        values.getOrDefault(COMPRESSION_TYPE, DEFAULT_COMPRESSION).toLowerCase(Locale.ROOT);
    long bufferMemory = p.number(BUFFER_MEMORY, DEFAULT_BUFFER_MEMORY, Long.MAX_VALUE);
    Duration maxBlock = p.millis(MAX_BLOCK_MS, DEFAULT_MAX_BLOCK);
    Duration delivery = p.millis(DELIVERY_TIMEOUT_MS, DEFAULT_DELIVERY_TIMEOUT);
    Duration request = p.millis(REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT);
    int maxInFlight = (int) p.number(MAX_IN_FLIGHT, DEFAULT_MAX_IN_FLIGHT, Integer.MAX_VALUE);
    // Rule checks on what parsed; a key that did not parse is reported once, above.
    for (String problem :
        problems(
            bootstrap,
            prefix,
            clientId,
            linger,
            batchSize,
            compression,
            bufferMemory,
            maxBlock,
            delivery,
            request,
            maxInFlight,
            overrides)) {
      if (!p.failed(problem)) {
        problems.add(problem);
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new PublisherConfig(
        bootstrap,
        prefix,
        clientId,
        linger,
        batchSize,
        compression,
        bufferMemory,
        maxBlock,
        delivery,
        request,
        maxInFlight,
        overrides);
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
    kafkaOverrides.forEach((k, v) -> map.put(KAFKA_PREFIX + k, v));
    return map;
  }

  /** One line for the log, secrets of {@code kafka.} overrides shown as {@code <masked>}. */
  @Override
  public String toString() {
    Map<String, String> shown = new LinkedHashMap<>(asMap());
    shown.replaceAll((k, v) -> isSecret(k) ? "<masked>" : v);
    return "PublisherConfig" + shown;
  }

  static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password")
        || k.contains("secret")
        || k.contains("jaas")
        || k.endsWith("key");
  }

  private static List<String> problems(
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
    List<String> problems = new ArrayList<>();
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      problems.add(invalid(bootstrapServers, BOOTSTRAP_SERVERS, "required, host:port[,...]"));
    }
    if (topicPrefix == null || !topicPrefix.matches("[A-Za-z0-9._-]{0,200}")) {
      problems.add(
          invalid(
              topicPrefix, TOPIC_PREFIX, "must be at most 200 of A-Z a-z 0-9 . _ - (or empty)"));
    }
    if (clientId == null || clientId.isBlank()) {
      problems.add(invalid(clientId, CLIENT_ID, "must not be empty"));
    }
    if (linger == null || linger.isNegative() || linger.compareTo(Duration.ofMinutes(1)) > 0) {
      problems.add(invalid(millis(linger), LINGER_MS, "must be between 0 and 60000"));
    }
    if (batchSize < 0 || batchSize > 16 * 1024 * 1024) {
      problems.add(invalid(batchSize, BATCH_SIZE, "must be between 0 and 16777216 bytes"));
    }
    if (compression == null || !COMPRESSIONS.contains(compression)) {
      problems.add(
          invalid(compression, COMPRESSION_TYPE, "must be one of none, gzip, snappy, lz4, zstd"));
    }
    if (bufferMemory < Math.max(batchSize, 1)) {
      problems.add(
          invalid(
              bufferMemory,
              BUFFER_MEMORY,
              "must be at least batch.size (" + batchSize + ") and at least 1"));
    }
    if (maxBlock == null || maxBlock.isNegative()) {
      problems.add(invalid(millis(maxBlock), MAX_BLOCK_MS, "must be 0 or more"));
    }
    if (requestTimeout == null || (requestTimeout.isNegative() || requestTimeout.isZero())) {
      problems.add(invalid(millis(requestTimeout), REQUEST_TIMEOUT_MS, "must be more than 0"));
    }
    if (deliveryTimeout == null) {
      problems.add(invalid(null, DELIVERY_TIMEOUT_MS, "required"));
    } else if (linger != null
        && requestTimeout != null
        && deliveryTimeout.compareTo(linger.plus(requestTimeout)) < 0) {
      // KafkaProducer refuses this combination at start; say so here with the figures.
      problems.add(
          invalid(
              deliveryTimeout.toMillis(),
              DELIVERY_TIMEOUT_MS,
              "must be at least linger.ms + request.timeout.ms ("
                  + linger.plus(requestTimeout).toMillis()
                  + ")"));
    }
    if (maxInFlight < 1 || maxInFlight > 5) {
      problems.add(
          invalid(maxInFlight, MAX_IN_FLIGHT, "must be between 1 and 5 (idempotent producer)"));
    }
    if (kafkaOverrides == null) {
      problems.add(invalid(null, "kafka.*", "must not be null"));
    } else {
      for (Map.Entry<String, String> e : new TreeMap<>(kafkaOverrides).entrySet()) {
        if (OWNED.contains(e.getKey())) {
          problems.add(
              invalid(
                  isSecret(e.getKey()) ? "<masked>" : e.getValue(),
                  KAFKA_PREFIX + e.getKey(),
                  "set by the publisher itself"
                      + (KEYS.contains(e.getKey()) ? "; use " + e.getKey() : "")));
        }
      }
    }
    return problems;
  }

  private static String millis(Duration d) {
    return d == null ? "null" : Long.toString(d.toMillis());
  }

  static String invalid(Object value, String key, String why) {
    return "Invalid value " + value + " for configuration " + key + ": " + why;
  }

  /** Parses numbers, recording which keys failed so rule checks do not report them twice. */
  private static final class Parser {
    private final Map<String, String> values;
    private final List<String> problems;
    private final Set<String> failedKeys = new java.util.HashSet<>();

    Parser(Map<String, String> values, List<String> problems) {
      this.values = values;
      this.problems = problems;
    }

    long number(String key, long fallback, long max) {
      String text = values.get(key);
      if (text == null) {
        return fallback;
      }
      try {
        long value = Long.parseLong(text.trim());
        if (value > max) {
          throw new NumberFormatException();
        }
        return value;
      } catch (NumberFormatException e) {
        problems.add(invalid(text, key, "not an integer up to " + max));
        failedKeys.add(key);
        return fallback;
      }
    }

    Duration millis(String key, Duration fallback) {
      if (!values.containsKey(key)) {
        return fallback;
      }
      return Duration.ofMillis(number(key, fallback.toMillis(), Long.MAX_VALUE));
    }

    boolean failed(String problem) {
      for (String key : failedKeys) {
        if (problem.contains(" for configuration " + key + ":")) {
          return true;
        }
      }
      return false;
    }
  }
}
