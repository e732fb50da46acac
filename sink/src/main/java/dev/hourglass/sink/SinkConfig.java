package dev.hourglass.sink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Everything the sink needs, checked once when built: every problem is reported together, each as
 * {@code Invalid value X for configuration Y: why}. {@link #toString()} masks the password.
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
 * @param retryInitialBackoff first wait after a transient database error
 * @param retryMaxBackoff the wait never grows beyond this
 * @param retryMaxAttempts attempts logged as {@code attempt n/max}; after them the sink keeps
 *     retrying at {@code retryMaxBackoff} and logs at ERROR, since stopping would not lose data but
 *     would stop the pipeline
 * @param consumerOverrides extra Kafka consumer settings (keys {@code consumer.*} without the
 *     prefix)
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
    Duration retryInitialBackoff,
    Duration retryMaxBackoff,
    int retryMaxAttempts,
    Map<String, String> consumerOverrides) {

  static final String CONSUMER_PREFIX = "consumer.";

  /** Consumer settings the exactly-once protocol depends on: not overridable. */
  static final Set<String> FIXED_CONSUMER_KEYS =
      Set.of(
          "enable.auto.commit",
          "isolation.level",
          "group.id",
          "bootstrap.servers",
          "key.deserializer",
          "value.deserializer",
          "max.poll.records",
          "auto.offset.reset");

  /** Defaults of every optional key, as text, in the order they are documented. */
  static final Map<String, String> DEFAULTS = defaults();

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("topic.prefix", "hourglass.");
    d.put("group.id", "hourglass-sink");
    d.put("jdbc.password", "");
    d.put("batch.size", "5000");
    d.put("batch.max.wait.ms", "500");
    d.put("max.poll.records", "1000");
    d.put("pool.size", "2");
    d.put("pool.max.lifetime.ms", "1800000");
    d.put("pool.connection.timeout.ms", "5000");
    d.put("statement.timeout.ms", "60000");
    d.put("retry.initial.backoff.ms", "200");
    d.put("retry.max.backoff.ms", "30000");
    d.put("retry.max.attempts", "10");
    return Map.copyOf(d);
  }

  public SinkConfig {
    consumerOverrides = Map.copyOf(consumerOverrides == null ? Map.of() : consumerOverrides);
    List<String> problems = new ArrayList<>();
    requireText(problems, "bootstrap.servers", bootstrapServers);
    if (topicPrefix == null || !topicPrefix.matches("[A-Za-z0-9._-]*")) {
      problems.add(invalid(topicPrefix, "topic.prefix", "must match [A-Za-z0-9._-]*"));
    }
    requireText(problems, "group.id", groupId);
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
      problems.add(invalid(jdbcUrl, "jdbc.url", "must start with jdbc:postgresql:"));
    }
    requireText(problems, "jdbc.user", jdbcUser);
    if (jdbcPassword == null) {
      problems.add(invalid(null, "jdbc.password", "must be set (may be empty)"));
    }
    range(problems, "batch.size", batchSize, 1, 1_000_000);
    range(problems, "max.poll.records", maxPollRecords, 1, 100_000);
    if (maxPollRecords > batchSize) {
      problems.add(
          invalid(
              maxPollRecords,
              "max.poll.records",
              "must be at most batch.size (" + batchSize + ") so that memory stays bounded"));
    }
    range(problems, "pool.size", poolSize, 1, 16);
    millis(problems, "batch.max.wait.ms", batchMaxWait, 1, 600_000);
    millis(problems, "pool.max.lifetime.ms", poolMaxLifetime, 30_000, 86_400_000);
    millis(problems, "pool.connection.timeout.ms", connectionTimeout, 250, 600_000);
    millis(problems, "statement.timeout.ms", statementTimeout, 1_000, 3_600_000);
    millis(problems, "retry.initial.backoff.ms", retryInitialBackoff, 1, 600_000);
    millis(problems, "retry.max.backoff.ms", retryMaxBackoff, 1, 3_600_000);
    if (retryInitialBackoff != null
        && retryMaxBackoff != null
        && retryMaxBackoff.compareTo(retryInitialBackoff) < 0) {
      problems.add(
          invalid(
              retryMaxBackoff.toMillis(),
              "retry.max.backoff.ms",
              "must be at least retry.initial.backoff.ms ("
                  + retryInitialBackoff.toMillis()
                  + ")"));
    }
    range(problems, "retry.max.attempts", retryMaxAttempts, 1, 1_000);
    for (String key : new TreeMap<>(consumerOverrides).keySet()) {
      if (FIXED_CONSUMER_KEYS.contains(key)) {
        problems.add(
            invalid(
                consumerOverrides.get(key),
                CONSUMER_PREFIX + key,
                "the sink sets it itself; exactly-once depends on it"));
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
  }

  /**
   * Builds the configuration from dotted keys ({@code bootstrap.servers}, {@code jdbc.url}, ...),
   * {@link #DEFAULTS} for the keys that are absent. Keys {@code consumer.*} pass to the Kafka
   * consumer. Unknown keys are errors, so a misspelt key is not silently ignored.
   *
   * @throws IllegalArgumentException naming every bad key at once
   */
  public static SinkConfig from(Map<String, String> settings) {
    Map<String, String> s = new LinkedHashMap<>(DEFAULTS);
    s.putAll(settings);
    List<String> problems = new ArrayList<>();
    Map<String, String> overrides = new TreeMap<>();
    Set<String> known =
        Set.of(
            "bootstrap.servers",
            "jdbc.url",
            "jdbc.user",
            "topic.prefix",
            "group.id",
            "jdbc.password",
            "batch.size",
            "batch.max.wait.ms",
            "max.poll.records",
            "pool.size",
            "pool.max.lifetime.ms",
            "pool.connection.timeout.ms",
            "statement.timeout.ms",
            "retry.initial.backoff.ms",
            "retry.max.backoff.ms",
            "retry.max.attempts");
    for (Map.Entry<String, String> e : new TreeMap<>(s).entrySet()) {
      if (e.getKey().startsWith(CONSUMER_PREFIX)) {
        overrides.put(e.getKey().substring(CONSUMER_PREFIX.length()), e.getValue());
      } else if (!known.contains(e.getKey())) {
        problems.add(
            invalid(
                e.getKey().contains("password") ? "<masked>" : e.getValue(),
                e.getKey(),
                "unknown key"));
      }
    }
    Parser p = new Parser(s, problems);
    SinkConfig config = null;
    try {
      config =
          new SinkConfig(
              s.get("bootstrap.servers"),
              s.get("topic.prefix"),
              s.get("group.id"),
              s.get("jdbc.url"),
              s.get("jdbc.user"),
              s.get("jdbc.password"),
              p.number("batch.size", Integer::parseInt, 1),
              p.millis("batch.max.wait.ms"),
              p.number("max.poll.records", Integer::parseInt, 1),
              p.number("pool.size", Integer::parseInt, 1),
              p.millis("pool.max.lifetime.ms"),
              p.millis("pool.connection.timeout.ms"),
              p.millis("statement.timeout.ms"),
              p.millis("retry.initial.backoff.ms"),
              p.millis("retry.max.backoff.ms"),
              p.number("retry.max.attempts", Integer::parseInt, 1),
              overrides);
    } catch (IllegalArgumentException e) {
      // A key that did not parse already has its problem; rules about its placeholder are noise.
      for (String line : e.getMessage().split("\n")) {
        if (p.failed().stream().noneMatch(line::contains)) {
          problems.add(line);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
    return config;
  }

  @Override
  public String toString() {
    return "SinkConfig[bootstrap.servers="
        + bootstrapServers
        + ", topic.prefix="
        + topicPrefix
        + ", group.id="
        + groupId
        + ", jdbc.url="
        + jdbcUrl
        + ", jdbc.user="
        + jdbcUser
        + ", jdbc.password=<masked>"
        + ", batch.size="
        + batchSize
        + ", batch.max.wait.ms="
        + batchMaxWait.toMillis()
        + ", max.poll.records="
        + maxPollRecords
        + ", pool.size="
        + poolSize
        + ", pool.max.lifetime.ms="
        + poolMaxLifetime.toMillis()
        + ", pool.connection.timeout.ms="
        + connectionTimeout.toMillis()
        + ", statement.timeout.ms="
        + statementTimeout.toMillis()
        + ", retry.initial.backoff.ms="
        + retryInitialBackoff.toMillis()
        + ", retry.max.backoff.ms="
        + retryMaxBackoff.toMillis()
        + ", retry.max.attempts="
        + retryMaxAttempts
        + ", consumer overrides="
        + new TreeMap<>(consumerOverrides)
        + "]";
  }

  private static String invalid(Object value, String key, String why) {
    return "Invalid value " + value + " for configuration " + key + ": " + why;
  }

  private static void requireText(List<String> problems, String key, String value) {
    if (value == null || value.isBlank()) {
      problems.add(invalid(value, key, "must be set"));
    }
  }

  private static void range(List<String> problems, String key, long value, long min, long max) {
    if (value < min || value > max) {
      problems.add(invalid(value, key, "must be between " + min + " and " + max));
    }
  }

  private static void millis(
      List<String> problems, String key, Duration value, long min, long max) {
    if (value == null) {
      problems.add(invalid(null, key, "must be set"));
    } else {
      range(problems, key, value.toMillis(), min, max);
    }
  }

  /** Parses numbers, recording a problem and returning a harmless placeholder on bad text. */
  private record Parser(Map<String, String> settings, List<String> problems, Set<String> failed) {
    Parser(Map<String, String> settings, List<String> problems) {
      this(settings, problems, new java.util.HashSet<>());
    }

    <T> T number(String key, Function<String, T> parse, T placeholder) {
      String text = settings.get(key);
      try {
        return parse.apply(text == null ? "" : text.trim());
      } catch (NumberFormatException e) {
        problems.add(invalid(text, key, "must be a whole number"));
        failed.add(key);
        return placeholder;
      }
    }

    Duration millis(String key) {
      return Duration.ofMillis(number(key, Long::parseLong, 1L));
    }
  }
}
