package dev.hourglass.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The keys several components share, declared once: they stand without a component prefix, so one
 * file configures every component with one meaning per key.
 */
public final class Shared {
  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String TOPIC_PREFIX = "topic.prefix";
  public static final String JDBC_URL = "jdbc.url";
  public static final String JDBC_USER = "jdbc.user";
  public static final String JDBC_PASSWORD = "jdbc.password";
  public static final String METRICS_PORT = "metrics.port";

  private static final ConfigDef KEYS =
      new ConfigDef()
          .define(
              BOOTSTRAP_SERVERS,
              Type.STRING,
              ConfigDef.NO_DEFAULT_VALUE,
              new ConfigDef.NonEmptyString(),
              Importance.HIGH,
              "Kafka brokers, host:port[,...]")
          .define(
              TOPIC_PREFIX,
              Type.STRING,
              "hourglass.",
              Validators.matching(
                  "[A-Za-z0-9._-]{0,200}", "must be at most 200 of A-Z a-z 0-9 . _ - (or empty)"),
              Importance.MEDIUM,
              "prefix of every topic name; one cluster can hold several pipelines")
          .define(
              JDBC_URL,
              Type.STRING,
              ConfigDef.NO_DEFAULT_VALUE,
              Validators.matching("jdbc:postgresql:.*", "must start with jdbc:postgresql:"),
              Importance.HIGH,
              "jdbc:postgresql://host:port/db")
          .define(
              JDBC_USER,
              Type.STRING,
              ConfigDef.NO_DEFAULT_VALUE,
              new ConfigDef.NonEmptyString(),
              Importance.HIGH,
              "the database login")
          .define(JDBC_PASSWORD, Type.PASSWORD, "", Importance.HIGH, "its password (may be empty)")
          .define(
              METRICS_PORT,
              Type.INT,
              9400,
              ConfigDef.Range.between(0, 65535),
              Importance.MEDIUM,
              "HTTP port of /metrics (Prometheus), /health/live and /health/ready; 0 turns it off");

  /** {@code bootstrap.servers} and {@code topic.prefix}: what a Kafka client of ours needs. */
  public static final Declarations KAFKA = Declarations.of(define(BOOTSTRAP_SERVERS, TOPIC_PREFIX));

  /** {@code jdbc.url}, {@code jdbc.user} and {@code jdbc.password}. */
  public static final Declarations JDBC =
      Declarations.of(define(JDBC_URL, JDBC_USER, JDBC_PASSWORD));

  /** {@code metrics.port}: where a long-running component serves its metrics and health. */
  public static final Declarations METRICS = Declarations.of(define(METRICS_PORT));

  private Shared() {}

  /** A new definition holding the shared {@code keys}, for a component to add its own to. */
  public static ConfigDef define(String... keys) {
    ConfigDef def = new ConfigDef();
    for (String key : keys) {
      ConfigDef.ConfigKey shared = KEYS.configKeys().get(key);
      if (shared == null) {
        throw new IllegalArgumentException(key + " is not a shared key");
      }
      def.define(shared);
    }
    return def;
  }
}
