package dev.hourglass.forwarder;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import dev.hourglass.config.Declarations;
import dev.hourglass.config.Shared;
import dev.hourglass.config.Validators;
import dev.hourglass.config.Values;
import dev.hourglass.contract.Topics;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.NonEmptyString;

/**
 * The alerts forwarder's configuration ({@code forwarder.*} and the shared Kafka keys), declared
 * once in {@link #DECLARATIONS}; the README's configuration table is checked against them.
 *
 * @param bootstrapServers Kafka brokers
 * @param topicPrefix put before the alerts topic's name
 * @param alertmanagerUrl Alertmanager's base URL, for example {@code http://alertmanager:9093}
 * @param groupId the consumer group, whose committed offsets say what Alertmanager has accepted
 * @param resendInterval how often firing alerts are sent again, so Alertmanager keeps them active
 * @param requestTimeout how long one request to Alertmanager may take
 * @param initialBackoff the first wait after Alertmanager refused or was unreachable
 * @param maxBackoff the longest wait between attempts
 * @param kafkaClient the settings its Kafka consumer gets (keys {@code kafka.*} without the
 *     prefix): security
 */
public record ForwarderConfig(
    String bootstrapServers,
    String topicPrefix,
    URI alertmanagerUrl,
    String groupId,
    Duration resendInterval,
    Duration requestTimeout,
    Duration initialBackoff,
    Duration maxBackoff,
    Map<String, String> kafkaClient) {

  public ForwarderConfig {
    kafkaClient = Map.copyOf(kafkaClient);
  }

  public static final String ALERTMANAGER_URL = "forwarder.alertmanager.url";
  public static final String GROUP_ID = "forwarder.group.id";
  public static final String RESEND_INTERVAL_MS = "forwarder.resend.interval.ms";
  public static final String REQUEST_TIMEOUT_MS = "forwarder.request.timeout.ms";
  public static final String RETRY_INITIAL_BACKOFF_MS = "forwarder.retry.initial.backoff.ms";
  public static final String RETRY_MAX_BACKOFF_MS = "forwarder.retry.max.backoff.ms";

  /** Every key the forwarder reads. */
  public static final Declarations DECLARATIONS = declarations();

  private static Declarations declarations() {
    var def = Shared.define(Shared.BOOTSTRAP_SERVERS, Shared.TOPIC_PREFIX);
    def.define(
        ALERTMANAGER_URL,
        STRING,
        ConfigDef.NO_DEFAULT_VALUE,
        Validators.matching("https?://[^\\s/]+(/\\S*)?", "must be an http:// or https:// URL"),
        HIGH,
        "Alertmanager's base URL");
    def.define(GROUP_ID, STRING, "hourglass-alerts-forwarder", new NonEmptyString(), HIGH, "group");
    def.define(RESEND_INTERVAL_MS, LONG, 60_000L, between(1_000, 3_600_000), MEDIUM, "resend");
    def.define(REQUEST_TIMEOUT_MS, LONG, 10_000L, between(100, 600_000), LOW, "one request");
    def.define(RETRY_INITIAL_BACKOFF_MS, LONG, 500L, between(1, 600_000), LOW, "first wait");
    def.define(RETRY_MAX_BACKOFF_MS, LONG, 30_000L, between(1, 3_600_000), LOW, "longest wait");
    return Shared.withKafkaClient(Declarations.of(def));
  }

  /**
   * The configuration from {@code settings}.
   *
   * @throws dev.hourglass.config.ConfigException naming every problem at once
   */
  public static ForwarderConfig from(Map<String, String> settings) {
    return from(DECLARATIONS.parse(settings));
  }

  /** The configuration from settings the engine has checked against {@link #DECLARATIONS}. */
  public static ForwarderConfig from(Values v) {
    String url = v.getString(ALERTMANAGER_URL);
    return new ForwarderConfig(
        v.getString(Shared.BOOTSTRAP_SERVERS),
        v.getString(Shared.TOPIC_PREFIX),
        URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url),
        v.getString(GROUP_ID),
        v.getDuration(RESEND_INTERVAL_MS),
        v.getDuration(REQUEST_TIMEOUT_MS),
        v.getDuration(RETRY_INITIAL_BACKOFF_MS),
        v.getDuration(RETRY_MAX_BACKOFF_MS),
        v.passThrough(Shared.KAFKA_CLIENT_PREFIX));
  }

  /** The alerts topic, under {@link #topicPrefix()}. */
  public String alertsTopic() {
    return Topics.withPrefix(topicPrefix).alerts().name();
  }

  /** The effective configuration, one key per line, for the start-up log. */
  public String describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(Shared.BOOTSTRAP_SERVERS, bootstrapServers);
    m.put(Shared.TOPIC_PREFIX, topicPrefix);
    m.put(ALERTMANAGER_URL, alertmanagerUrl.toString());
    m.put(GROUP_ID, groupId);
    m.put(RESEND_INTERVAL_MS, Long.toString(resendInterval.toMillis()));
    m.put(REQUEST_TIMEOUT_MS, Long.toString(requestTimeout.toMillis()));
    m.put(RETRY_INITIAL_BACKOFF_MS, Long.toString(initialBackoff.toMillis()));
    m.put(RETRY_MAX_BACKOFF_MS, Long.toString(maxBackoff.toMillis()));
    m.putAll(Shared.asKafkaKeys(kafkaClient));
    return Declarations.describe(m);
  }
}
