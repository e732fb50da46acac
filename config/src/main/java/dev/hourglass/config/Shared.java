package dev.hourglass.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
  public static final String JDBC_PASSWORD_FILE = "jdbc.password.file";

  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.complementOf(
          EnumSet.of(
              PosixFilePermission.OWNER_READ,
              PosixFilePermission.OWNER_WRITE,
              PosixFilePermission.OWNER_EXECUTE));

  /**
   * The format of alert values: the processor writes its alerts in it, and the sink's maintenance
   * writes database alerts on the same topic in it. Named for the processor, which it first
   * configured.
   */
  public static final String ALERTS_FORMAT = "streams.alerts.format";

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
              ALERTS_FORMAT,
              Type.STRING,
              "avro",
              Validators.oneOf("avro", "json"),
              Importance.MEDIUM,
              "alert values")
          .define(
              JDBC_PASSWORD_FILE,
              Type.STRING,
              "",
              Importance.HIGH,
              "a file whose first line is the password, readable by its owner only")
          .define(
              METRICS_PORT,
              Type.INT,
              9400,
              ConfigDef.Range.between(0, 65535),
              Importance.MEDIUM,
              "HTTP port of /metrics (Prometheus), /health/live and /health/ready; 0 turns it off");

  /**
   * Settings passed to every Kafka client of every component (producer, consumers, Kafka Streams,
   * admin), without the prefix: how a client authenticates and encrypts, such as {@code
   * kafka.security.protocol=SASL_SSL}, {@code kafka.sasl.mechanism=SCRAM-SHA-512}, {@code
   * kafka.sasl.jaas.config} and {@code kafka.ssl.truststore.location}. A component's own prefix
   * ({@code streams.kafka.*}, {@code sink.consumer.*}) wins over it for that component's clients.
   */
  public static final String KAFKA_CLIENT_PREFIX = "kafka.";

  /** How the documentation writes {@link #KAFKA_CLIENT_PREFIX}. */
  public static final String KAFKA_CLIENT_KEYS = "kafka.*";

  /**
   * {@code bootstrap.servers}, {@code topic.prefix} and {@code kafka.*}: what a Kafka client of
   * ours needs.
   */
  public static final Declarations KAFKA =
      withKafkaClient(Declarations.of(define(BOOTSTRAP_SERVERS, TOPIC_PREFIX)));

  /**
   * {@code d}, which declares {@code bootstrap.servers}, with the open prefix {@code kafka.*}; the
   * address is refused there, so that it has one key only.
   */
  public static Declarations withKafkaClient(Declarations d) {
    return d.open(KAFKA_CLIENT_KEYS, KAFKA_CLIENT_PREFIX)
        .refuse(KAFKA_CLIENT_PREFIX + BOOTSTRAP_SERVERS, "set it with " + BOOTSTRAP_SERVERS);
  }

  /**
   * The settings every Kafka client gets: {@code bootstrap.servers} and the {@code kafka.*}
   * settings, without their prefix. Secrets among them are {@code <masked>} by {@link
   * Declarations#describe}; a password may stay out of the file with Kafka's own config provider
   * ({@code kafka.config.providers=file} and {@code ${file:/path:key}} in the value).
   */
  public static Map<String, Object> kafkaClient(Values v) {
    Map<String, Object> p = new TreeMap<>(v.passThrough(KAFKA_CLIENT_PREFIX));
    p.put(BOOTSTRAP_SERVERS, v.getString(BOOTSTRAP_SERVERS));
    return p;
  }

  /** {@code settings} (a client's security settings, unprefixed) as {@code kafka.*} keys. */
  public static Map<String, String> asKafkaKeys(Map<String, ?> settings) {
    Map<String, String> out = new TreeMap<>();
    settings.forEach((k, value) -> out.put(KAFKA_CLIENT_PREFIX + k, String.valueOf(value)));
    return out;
  }

  /** {@code jdbc.url}, {@code jdbc.user}, {@code jdbc.password} and {@code jdbc.password.file}. */
  public static final Declarations JDBC =
      withPasswordFileRule(
          Declarations.of(define(JDBC_URL, JDBC_USER, JDBC_PASSWORD, JDBC_PASSWORD_FILE)));

  /**
   * {@code d}, which declares {@code jdbc.password} and {@code jdbc.password.file}, with the rule
   * that the file is readable, by its owner only (as libpq asks of {@code ~/.pgpass}), and not set
   * together with the password.
   */
  public static Declarations withPasswordFileRule(Declarations d) {
    return d.rule(JDBC_PASSWORD_FILE, List.of(JDBC_PASSWORD), Shared::passwordFileProblem);
  }

  /**
   * The database password: the first line of {@code jdbc.password.file} when set, else {@code
   * jdbc.password}. A file keeps the password off command lines and out of the environment of child
   * processes.
   */
  public static String jdbcPassword(Values v) {
    String file = v.getString(JDBC_PASSWORD_FILE);
    if (file.isEmpty()) {
      return v.getString(JDBC_PASSWORD);
    }
    try {
      return firstLine(Files.readString(Path.of(file), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + JDBC_PASSWORD_FILE + " " + file, e);
    }
  }

  private static String passwordFileProblem(Values v) {
    String file = v.getString(JDBC_PASSWORD_FILE);
    if (file.isEmpty()) {
      return null;
    }
    if (!v.getString(JDBC_PASSWORD).isEmpty()) {
      return "must not be set together with " + JDBC_PASSWORD;
    }
    Path path = Path.of(file);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      return "must be a readable file";
    }
    try {
      if (Files.getFileAttributeView(path, PosixFileAttributeView.class) != null) {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
        if (permissions.stream().anyMatch(OTHERS::contains)) {
          return "must be readable by its owner only (chmod 600), not "
              + PosixFilePermissions.toString(permissions);
        }
      }
      if (firstLine(Files.readString(path, StandardCharsets.UTF_8)).isEmpty()) {
        return "must hold the password on its first line";
      }
    } catch (IOException e) {
      return "cannot be read: " + e.getMessage();
    }
    return null;
  }

  private static String firstLine(String text) {
    int end = text.indexOf('\n');
    String line = end < 0 ? text : text.substring(0, end);
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }

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
