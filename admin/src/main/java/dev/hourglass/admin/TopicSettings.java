package dev.hourglass.admin;

import dev.hourglass.producer.PublisherConfig;
import dev.hourglass.producer.TopicNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link TopicProvisioner} creates: the seven topics of {@code docs/contracts.md} under one
 * prefix, with one partition count, one replication factor and per-topic configs. Validated when
 * built; every problem is reported at once.
 *
 * <p>One partition count for all topics on purpose: the streams processor joins nothing across
 * topics, but every topic keyed by organization must place an organization in the same partition
 * number, so that rollups and corrections stay in order without a repartition topic.
 *
 * @param prefix stands before every base name ({@code topic.prefix}, default {@code hourglass.})
 * @param partitions {@code topics.partitions}, default 6
 * @param replicationFactor {@code topics.replication.factor}, default 1 (one broker)
 * @param configs topic configs per base name, complete: each is set at creation and compared for an
 *     existing topic
 */
public record TopicSettings(
    String prefix,
    int partitions,
    short replicationFactor,
    Map<String, Map<String, String>> configs) {

  public static final String PARTITIONS = "topics.partitions";
  public static final String REPLICATION_FACTOR = "topics.replication.factor";
  public static final String MIN_INSYNC_REPLICAS = "topics.min.insync.replicas";
  public static final String EVENTS_RETENTION_MS = "topics.events.retention.ms";
  private static final String TOPICS = "topics.";

  public static final int DEFAULT_PARTITIONS = 6;
  public static final short DEFAULT_REPLICATION_FACTOR = 1;

  /** Events and rollups are replayable for a week: long enough to rebuild after an outage. */
  public static final Duration DEFAULT_EVENTS_RETENTION = Duration.ofDays(7);

  /** Dead letters wait a month for someone to look at them. */
  public static final Duration DEFAULT_DEAD_LETTER_RETENTION = Duration.ofDays(30);

  public TopicSettings {
    List<String> problems = new ArrayList<>();
    if (prefix == null || !prefix.matches("[A-Za-z0-9._-]{0,200}")) {
      problems.add(
          invalid(
              prefix,
              PublisherConfig.TOPIC_PREFIX,
              "must be at most 200 of A-Z a-z 0-9 . _ - (or empty)"));
    }
    if (partitions < 1 || partitions > 10_000) {
      problems.add(invalid(partitions, PARTITIONS, "must be between 1 and 10000"));
    }
    if (replicationFactor < 1) {
      problems.add(invalid(replicationFactor, REPLICATION_FACTOR, "must be at least 1"));
    }
    if (configs == null) {
      problems.add(invalid(null, "topics.<topic>.<config>", "must not be null"));
    } else {
      for (String base : configs.keySet()) {
        if (!TopicNames.BASES.contains(base)) {
          problems.add(
              invalid(base, "topics.<topic>", "unknown topic (known: " + TopicNames.BASES + ")"));
        }
      }
      for (String base : TopicNames.BASES) {
        String minIsr = configs.getOrDefault(base, Map.of()).get("min.insync.replicas");
        if (minIsr != null && !minIsrFits(minIsr, replicationFactor)) {
          problems.add(
              invalid(
                  minIsr,
                  TOPICS + base + ".min.insync.replicas",
                  "must be between 1 and the replication factor (" + replicationFactor + ")"));
        }
      }
      Map<String, Map<String, String>> copy = new LinkedHashMap<>();
      for (String base : TopicNames.BASES) {
        copy.put(
            base,
            java.util.Collections.unmodifiableMap(
                new TreeMap<>(configs.getOrDefault(base, Map.of()))));
      }
      configs = java.util.Collections.unmodifiableMap(copy);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  private static boolean minIsrFits(String value, short replicationFactor) {
    try {
      int n = Integer.parseInt(value);
      return n >= 1 && n <= replicationFactor;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The defaults under {@code prefix}: 6 partitions, replication factor 1. */
  public static TopicSettings defaults(String prefix) {
    return from(Map.of(PublisherConfig.TOPIC_PREFIX, prefix));
  }

  /**
   * Settings from dotted keys: {@code topic.prefix}, {@code topics.partitions}, {@code
   * topics.replication.factor}, {@code topics.min.insync.replicas} (all topics, default 1), {@code
   * topics.events.retention.ms} (events, rollups and alerts, default 7 days), and {@code
   * topics.<base name>.<topic config>} for any other topic config of one topic, for example {@code
   * topics.dead-letters.retention.ms}.
   *
   * @throws IllegalArgumentException naming every bad key and value at once
   */
  public static TopicSettings from(Map<String, String> values) {
    List<String> problems = new ArrayList<>();
    String prefix =
        values.getOrDefault(PublisherConfig.TOPIC_PREFIX, PublisherConfig.DEFAULT_TOPIC_PREFIX);
    int partitions = (int) number(values, PARTITIONS, DEFAULT_PARTITIONS, problems);
    long rf = number(values, REPLICATION_FACTOR, DEFAULT_REPLICATION_FACTOR, problems);
    if (rf > Short.MAX_VALUE) {
      problems.add(invalid(rf, REPLICATION_FACTOR, "must be at most 32767"));
      rf = DEFAULT_REPLICATION_FACTOR;
    }
    String minIsr = values.getOrDefault(MIN_INSYNC_REPLICAS, "1");
    long retention =
        number(values, EVENTS_RETENTION_MS, DEFAULT_EVENTS_RETENTION.toMillis(), problems);
    Map<String, Map<String, String>> configs = new LinkedHashMap<>();
    for (String base : TopicNames.BASES) {
      Map<String, String> c = new TreeMap<>();
      c.put("min.insync.replicas", minIsr);
      if (base.equals(TopicNames.STATS)) {
        // Latest counters per input partition: only the last value of a key matters.
        c.put("cleanup.policy", "compact");
      } else {
        c.put("cleanup.policy", "delete");
        c.put(
            "retention.ms",
            Long.toString(
                base.equals(TopicNames.DEAD_LETTERS)
                    ? DEFAULT_DEAD_LETTER_RETENTION.toMillis()
                    : retention));
      }
      configs.put(base, c);
    }
    for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
      String key = e.getKey();
      if (key.equals(PublisherConfig.TOPIC_PREFIX)
          || key.equals(PARTITIONS)
          || key.equals(REPLICATION_FACTOR)
          || key.equals(MIN_INSYNC_REPLICAS)
          || key.equals(EVENTS_RETENTION_MS)) {
        continue;
      }
      String base = baseOf(key);
      if (base == null) {
        problems.add(
            invalid(
                e.getValue(),
                key,
                "unknown key (known: topic.prefix, "
                    + PARTITIONS
                    + ", "
                    + REPLICATION_FACTOR
                    + ", "
                    + MIN_INSYNC_REPLICAS
                    + ", "
                    + EVENTS_RETENTION_MS
                    + ", topics.<topic>.<topic config> with <topic> one of "
                    + TopicNames.BASES
                    + ")"));
      } else {
        configs.get(base).put(key.substring(TOPICS.length() + base.length() + 1), e.getValue());
      }
    }
    if (!problems.isEmpty()) {
      // Report the rule checks of the record too, so that every problem is named at once.
      try {
        new TopicSettings(prefix, partitions, (short) rf, configs);
      } catch (IllegalArgumentException more) {
        problems.add(more.getMessage());
      }
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new TopicSettings(prefix, partitions, (short) rf, configs);
  }

  private static String baseOf(String key) {
    if (!key.startsWith(TOPICS)) {
      return null;
    }
    for (String base : TopicNames.BASES) {
      String start = TOPICS + base + ".";
      if (key.startsWith(start) && key.length() > start.length()) {
        return base;
      }
    }
    return null;
  }

  private static long number(
      Map<String, String> values, String key, long fallback, List<String> problems) {
    String text = values.get(key);
    if (text == null) {
      return fallback;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      problems.add(invalid(text, key, "not an integer"));
      return fallback;
    }
  }

  /** The topic names under {@link #prefix()}. */
  public TopicNames names() {
    return new TopicNames(prefix);
  }

  private static String invalid(Object value, String key, String why) {
    return "Invalid value " + value + " for configuration " + key + ": " + why;
  }
}
