package dev.hourglass.streams;

import dev.hourglass.avro.ValidationLimits;
import dev.hourglass.contract.AlertsFormat;
import dev.hourglass.contract.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;

/**
 * The streams processor's configuration, validated when built: every problem is collected and
 * reported at once, each as {@code Invalid value X for configuration Y: why}. Build it with {@link
 * #from(Map)} (dotted keys; the CLI maps environment variables such as {@code
 * HOURGLASS_BOOTSTRAP_SERVERS} onto {@code bootstrap.servers}). Defaults and the reasons for them
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
 * @param numStreamThreads stream threads in this instance
 * @param rulesFile the alert rules (YAML or JSON), or null for the built-in defaults
 * @param alertsFormat Avro or JSON on the alerts topic
 * @param stateDir where local state stores live
 * @param processingGuarantee exactly_once_v2, or at_least_once (for benchmarks)
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
    int numStreamThreads,
    Path rulesFile,
    AlertsFormat alertsFormat,
    Path stateDir,
    String processingGuarantee) {

  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String APPLICATION_ID = "application.id";
  public static final String TOPIC_PREFIX = "topic.prefix";
  public static final String GRACE = "grace";
  public static final String DEDUP_HORIZON = "dedup.horizon";
  public static final String EMIT_INTERVAL = "emit.interval";
  public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
  public static final String CACHE_MAX_BYTES = "cache.max.bytes";
  public static final String NUM_STREAM_THREADS = "num.stream.threads";
  public static final String RULES_FILE = "rules.file";
  public static final String ALERTS_FORMAT = "alerts.format";
  public static final String STATE_DIR = "state.dir";
  public static final String PROCESSING_GUARANTEE = "processing.guarantee";

  /** Every key {@link #from} reads, with its default ("" when it has none). */
  public static final Map<String, String> DEFAULTS = defaults();

  private static final Duration HOUR = Duration.ofHours(1);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]*");
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  public ProcessorConfig {
    List<String> problems =
        check(
            bootstrapServers,
            applicationId,
            topicPrefix,
            grace,
            dedupHorizon,
            emitInterval,
            commitIntervalMs,
            cacheMaxBytes,
            numStreamThreads,
            rulesFile,
            alertsFormat,
            stateDir,
            processingGuarantee);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(BOOTSTRAP_SERVERS, "localhost:9092");
    d.put(APPLICATION_ID, "hourglass-streams");
    d.put(TOPIC_PREFIX, "hourglass.");
    d.put(GRACE, "10m");
    d.put(DEDUP_HORIZON, "2h");
    d.put(EMIT_INTERVAL, "1s");
    d.put(COMMIT_INTERVAL_MS, "100");
    d.put(CACHE_MAX_BYTES, Long.toString(10L * 1024 * 1024));
    d.put(NUM_STREAM_THREADS, "1");
    d.put(RULES_FILE, "");
    d.put(ALERTS_FORMAT, "avro");
    d.put(STATE_DIR, Path.of(System.getProperty("java.io.tmpdir"), "kafka-streams").toString());
    d.put(PROCESSING_GUARANTEE, StreamsConfig.EXACTLY_ONCE_V2);
    return Map.copyOf(d);
  }

  /** The defaults, with nothing overridden. */
  public static ProcessorConfig defaultConfig() {
    return from(Map.of());
  }

  /**
   * The configuration from dotted keys ({@link #DEFAULTS} lists them); missing keys take their
   * default, keys it does not know are ignored (the same map may hold other components' keys).
   *
   * @throws IllegalArgumentException naming every bad value
   */
  public static ProcessorConfig from(Map<String, String> values) {
    List<String> problems = new ArrayList<>();
    // A misspelt key must not silently leave its default in force.
    new java.util.TreeMap<>(values)
        .forEach(
            (key, value) -> {
              if (!DEFAULTS.containsKey(key)) {
                problems.add(
                    invalid(
                        value,
                        key,
                        "unknown key (known: "
                            + String.join(", ", new java.util.TreeSet<>(DEFAULTS.keySet()))
                            + ")"));
              }
            });
    Parser p = new Parser(values, problems);
    String bootstrap = p.text(BOOTSTRAP_SERVERS);
    String appId = p.text(APPLICATION_ID);
    String prefix = p.text(TOPIC_PREFIX);
    Duration grace = p.duration(GRACE);
    Duration horizon = p.duration(DEDUP_HORIZON);
    Duration emit = p.duration(EMIT_INTERVAL);
    long commit = p.number(COMMIT_INTERVAL_MS);
    long cache = p.number(CACHE_MAX_BYTES);
    long threads = p.number(NUM_STREAM_THREADS);
    String rules = p.text(RULES_FILE);
    AlertsFormat format = null;
    String formatText = p.text(ALERTS_FORMAT);
    try {
      format = AlertsFormat.valueOf(formatText.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      problems.add(invalid(formatText, ALERTS_FORMAT, "must be avro or json"));
    }
    String stateDir = p.text(STATE_DIR);
    String guarantee = p.text(PROCESSING_GUARANTEE);
    if (threads > Integer.MAX_VALUE || threads < Integer.MIN_VALUE) {
      problems.add(invalid(threads, NUM_STREAM_THREADS, "must be between 1 and 64"));
      threads = 1;
    }
    Path rulesPath = rules.isBlank() ? null : Path.of(rules);
    Path statePath = stateDir.isBlank() ? null : Path.of(stateDir);
    if (problems.isEmpty()) {
      return new ProcessorConfig(
          bootstrap,
          appId,
          prefix,
          grace,
          horizon,
          emit,
          commit,
          cache,
          (int) threads,
          rulesPath,
          format,
          statePath,
          guarantee);
    }
    // Report the values that did parse together with those that did not.
    problems.addAll(
        check(
            bootstrap,
            appId,
            prefix,
            grace,
            horizon,
            emit,
            commit,
            cache,
            (int) threads,
            rulesPath,
            format == null ? AlertsFormat.AVRO : format,
            statePath,
            guarantee));
    throw new IllegalArgumentException(String.join("; ", problems));
  }

  private static List<String> check(
      String bootstrapServers,
      String applicationId,
      String topicPrefix,
      Duration grace,
      Duration dedupHorizon,
      Duration emitInterval,
      long commitIntervalMs,
      long cacheMaxBytes,
      int numStreamThreads,
      Path rulesFile,
      AlertsFormat alertsFormat,
      Path stateDir,
      String processingGuarantee) {
    List<String> problems = new ArrayList<>();
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      problems.add(invalid(bootstrapServers, BOOTSTRAP_SERVERS, "required, host:port[,...]"));
    }
    if (applicationId == null
        || applicationId.isBlank()
        || !NAME.matcher(applicationId).matches()) {
      problems.add(
          invalid(applicationId, APPLICATION_ID, "required, letters, digits, '.', '_', '-'"));
    }
    if (topicPrefix == null || !NAME.matcher(topicPrefix).matches() || topicPrefix.length() > 200) {
      problems.add(
          invalid(
              topicPrefix,
              TOPIC_PREFIX,
              "at most 200 letters, digits, '.', '_', '-' (may be empty)"));
    }
    if (grace != null && (grace.isNegative() || grace.compareTo(Duration.ofDays(1)) > 0)) {
      problems.add(invalid(grace, GRACE, "must be between 0 and 1 day"));
    } else if (grace == null) {
      problems.add(invalid(null, GRACE, "required"));
    }
    if (dedupHorizon == null
        || (grace != null && dedupHorizon.compareTo(HOUR.plus(grace)) < 0)
        || dedupHorizon.compareTo(Duration.ofDays(30)) > 0) {
      problems.add(
          invalid(
              dedupHorizon,
              DEDUP_HORIZON,
              "must be at least the window (1 hour) plus grace ("
                  + (grace == null ? "?" : HOUR.plus(grace))
                  + ") and at most 30 days"));
    }
    if (emitInterval == null
        || emitInterval.compareTo(Duration.ofMillis(10)) < 0
        || emitInterval.compareTo(HOUR) > 0) {
      problems.add(invalid(emitInterval, EMIT_INTERVAL, "must be between 10 ms and 1 hour"));
    }
    if (commitIntervalMs < 10 || commitIntervalMs > 600_000) {
      problems.add(invalid(commitIntervalMs, COMMIT_INTERVAL_MS, "must be between 10 and 600000"));
    }
    if (cacheMaxBytes < 0) {
      problems.add(invalid(cacheMaxBytes, CACHE_MAX_BYTES, "must be >= 0"));
    }
    if (numStreamThreads < 1 || numStreamThreads > 64) {
      problems.add(invalid(numStreamThreads, NUM_STREAM_THREADS, "must be between 1 and 64"));
    }
    if (rulesFile != null && !Files.isReadable(rulesFile)) {
      problems.add(invalid(rulesFile, RULES_FILE, "no readable file there"));
    }
    if (alertsFormat == null) {
      problems.add(invalid(null, ALERTS_FORMAT, "must be avro or json"));
    }
    if (stateDir == null) {
      problems.add(invalid("", STATE_DIR, "required"));
    }
    if (!StreamsConfig.EXACTLY_ONCE_V2.equals(processingGuarantee)
        && !StreamsConfig.AT_LEAST_ONCE.equals(processingGuarantee)) {
      problems.add(
          invalid(
              processingGuarantee,
              PROCESSING_GUARANTEE,
              "must be exactly_once_v2 (the default) or at_least_once (benchmarks only)"));
    }
    return problems;
  }

  private static String invalid(Object value, String key, String why) {
    return "Invalid value " + value + " for configuration " + key + ": " + why;
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
    return new TopologySettings(grace, dedupHorizon, emitInterval, ValidationLimits.defaults());
  }

  /** The Kafka Streams settings. Every setting that differs from Kafka's default says why. */
  public Properties streamsProperties() {
    Properties p = new Properties();
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
    // One thread by default: the machines run the broker and the sink beside it on 2 cores.
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(numStreamThreads));
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

  /** The effective configuration, one key per line, for the start-up log. No secrets here. */
  public String describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(BOOTSTRAP_SERVERS, bootstrapServers);
    m.put(APPLICATION_ID, applicationId);
    m.put(TOPIC_PREFIX, topicPrefix);
    m.put(GRACE, grace);
    m.put(DEDUP_HORIZON, dedupHorizon);
    m.put(EMIT_INTERVAL, emitInterval);
    m.put(COMMIT_INTERVAL_MS, commitIntervalMs);
    m.put(CACHE_MAX_BYTES, cacheMaxBytes);
    m.put(NUM_STREAM_THREADS, numStreamThreads);
    m.put(RULES_FILE, rulesFile == null ? "(built-in defaults)" : rulesFile);
    m.put(ALERTS_FORMAT, alertsFormat.name().toLowerCase(Locale.ROOT));
    m.put(STATE_DIR, stateDir);
    m.put(PROCESSING_GUARANTEE, processingGuarantee);
    StringBuilder b = new StringBuilder();
    m.forEach((k, v) -> b.append("\n  ").append(k).append(" = ").append(v));
    return b.toString();
  }

  /** Reads each key once, falling back to its default, collecting parse problems. */
  private record Parser(Map<String, String> values, List<String> problems) {
    String text(String key) {
      String v = values.get(key);
      return v == null ? DEFAULTS.get(key) : v.trim();
    }

    long number(String key) {
      String v = text(key);
      try {
        return Long.parseLong(v);
      } catch (NumberFormatException e) {
        problems.add(invalid(v, key, "not a whole number"));
        return Long.parseLong(DEFAULTS.get(key));
      }
    }

    Duration duration(String key) {
      String v = text(key);
      Duration d = parseDuration(v);
      if (d == null) {
        problems.add(
            invalid(v, key, "not a duration (for example 500ms, 10s, 10m, 2h, 1d or PT10M)"));
        return parseDuration(DEFAULTS.get(key));
      }
      return d;
    }
  }

  /**
   * {@code 500ms}, {@code 10s}, {@code 10m}, {@code 2h}, {@code 1d} or ISO-8601; null if neither.
   */
  static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = SHORT_DURATION.matcher(t);
    if (m.matches()) {
      try {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      } catch (NumberFormatException | ArithmeticException e) {
        return null;
      }
    }
    try {
      return Duration.parse(text.trim());
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
