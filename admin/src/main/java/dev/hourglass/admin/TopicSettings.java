package dev.hourglass.admin;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.SHORT;

import dev.hourglass.config.Declarations;
import dev.hourglass.config.Shared;
import dev.hourglass.config.Values;
import dev.hourglass.contract.Topics;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;

/**
 * What {@link TopicProvisioner} creates: the eight topics of {@code docs/contracts.md} under one
 * prefix, with one partition count, one replication factor and per-topic configs. The keys are
 * declared in {@link #DECLARATIONS} and checked by the configuration engine.
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

  /** Every key {@link #from} reads; {@code topics.<topic>.<config>} is any config of one topic. */
  public static final Declarations DECLARATIONS = declarations();

  private static Declarations declarations() {
    ConfigDef def = Shared.define(Shared.TOPIC_PREFIX);
    def.define(PARTITIONS, INT, DEFAULT_PARTITIONS, between(1, 10_000), HIGH, "every topic's");
    def.define(REPLICATION_FACTOR, SHORT, DEFAULT_REPLICATION_FACTOR, atLeast(1), HIGH, "replicas");
    def.define(MIN_INSYNC_REPLICAS, INT, 1, atLeast(1), HIGH, "min.insync.replicas of every topic");
    def.define(
        EVENTS_RETENTION_MS,
        LONG,
        DEFAULT_EVENTS_RETENTION.toMillis(),
        atLeast(-1),
        MEDIUM,
        "retention of events, rollups and alerts");
    Declarations d =
        Declarations.of(def)
            .open(
                "topics.<topic>.<config>",
                Topics.BASES.stream().map(base -> TOPICS + base + ".").toArray(String[]::new))
            .rule(MIN_INSYNC_REPLICAS, List.of(REPLICATION_FACTOR), TopicSettings::minIsrFits);
    for (String base : Topics.BASES) {
      String key = TOPICS + base + ".min.insync.replicas";
      d = d.rule(key, List.of(REPLICATION_FACTOR), v -> minIsrFits(v, key));
    }
    return d;
  }

  public TopicSettings {
    Map<String, Map<String, String>> copy = new LinkedHashMap<>();
    for (String base : Topics.BASES) {
      copy.put(
          base, Collections.unmodifiableMap(new TreeMap<>(configs.getOrDefault(base, Map.of()))));
    }
    configs = Collections.unmodifiableMap(copy);
  }

  private static String minIsrFits(Values v) {
    return v.getInt(MIN_INSYNC_REPLICAS) <= v.getShort(REPLICATION_FACTOR)
        ? null
        : "must be at most " + REPLICATION_FACTOR + " (" + v.getShort(REPLICATION_FACTOR) + ")";
  }

  /** A per-topic {@code min.insync.replicas}, an open key, read as text. */
  private static String minIsrFits(Values v, String key) {
    String base = key.substring(TOPICS.length(), key.length() - ".min.insync.replicas".length());
    String value = v.passThrough(TOPICS + base + ".").get("min.insync.replicas");
    short rf = v.getShort(REPLICATION_FACTOR);
    try {
      int n = Integer.parseInt(value);
      if (n >= 1 && n <= rf) {
        return null;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    return "must be a whole number from 1 to " + REPLICATION_FACTOR + " (" + rf + ")";
  }

  /** The defaults under {@code prefix}: 6 partitions, replication factor 1. */
  public static TopicSettings defaults(String prefix) {
    return from(Map.of(Shared.TOPIC_PREFIX, prefix));
  }

  /**
   * Settings from dotted keys: {@code topic.prefix}, {@code topics.partitions}, {@code
   * topics.replication.factor}, {@code topics.min.insync.replicas} (all topics, default 1), {@code
   * topics.events.retention.ms} (events, rollups and alerts, default 7 days), and {@code
   * topics.<base name>.<topic config>} for any other topic config of one topic, for example {@code
   * topics.dead-letters.retention.ms}.
   *
   * @throws dev.hourglass.config.ConfigException naming every bad key and value at once
   */
  public static TopicSettings from(Map<String, String> values) {
    return from(DECLARATIONS.parse(values));
  }

  /** The settings from values the engine has checked against {@link #DECLARATIONS}. */
  public static TopicSettings from(Values v) {
    Map<String, Map<String, String>> configs = new LinkedHashMap<>();
    for (String base : Topics.BASES) {
      Map<String, String> c = new TreeMap<>();
      c.put("min.insync.replicas", Integer.toString(v.getInt(MIN_INSYNC_REPLICAS)));
      if (base.equals(Topics.STATS)) {
        // Latest counters per input partition: only the last value of a key matters.
        c.put("cleanup.policy", "compact");
      } else if (base.equals(Topics.SCHEMAS)) {
        // One value per fingerprint, kept for good: a record is readable only while its schema is.
        c.put("cleanup.policy", "compact");
      } else {
        c.put("cleanup.policy", "delete");
        c.put(
            "retention.ms",
            Long.toString(
                base.equals(Topics.DEAD_LETTERS)
                    ? DEFAULT_DEAD_LETTER_RETENTION.toMillis()
                    : v.getLong(EVENTS_RETENTION_MS)));
      }
      c.putAll(v.passThrough(TOPICS + base + "."));
      configs.put(base, c);
    }
    return new TopicSettings(
        v.getString(Shared.TOPIC_PREFIX),
        v.getInt(PARTITIONS),
        v.getShort(REPLICATION_FACTOR),
        configs);
  }

  /** The topic names under {@link #prefix()}. */
  public Topics names() {
    return Topics.withPrefix(prefix);
  }

  private static String invalid(Object value, String key, String why) {
    return "Invalid value " + value + " for configuration " + key + ": " + why;
  }
}
