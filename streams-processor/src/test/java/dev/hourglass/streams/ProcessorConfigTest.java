package dev.hourglass.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.config.ConfigException;
import dev.hourglass.contract.AlertsFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ProcessorConfigTest {
  private static final Map<String, String> REQUIRED = Map.of("bootstrap.servers", "broker:9093");

  @Test
  void shouldUseTheDocumentedDefaults() {
    ProcessorConfig c = ProcessorConfig.from(REQUIRED);

    assertThat(c.bootstrapServers()).isEqualTo("broker:9093");
    assertThat(c.applicationId()).isEqualTo("hourglass-streams");
    assertThat(c.topicPrefix()).isEqualTo("hourglass.");
    assertThat(c.grace()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.dedupHorizon()).isEqualTo(Duration.ofHours(2));
    assertThat(c.emitInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.commitIntervalMs()).isEqualTo(100L);
    assertThat(c.cacheMaxBytes()).isEqualTo(10L * 1024 * 1024);
    assertThat(c.numStreamThreads()).isEqualTo(1);
    assertThat(c.rulesFile()).isNull();
    assertThat(c.alertsFormat()).isEqualTo(AlertsFormat.AVRO);
    assertThat(c.stateDir())
        .isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "kafka-streams"));
    assertThat(c.processingGuarantee()).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
  }

  @Test
  void shouldReadEveryKey() {
    ProcessorConfig c =
        ProcessorConfig.from(
            Map.ofEntries(
                Map.entry("bootstrap.servers", "broker:9093"),
                Map.entry("topic.prefix", "t."),
                Map.entry("streams.application.id", "hg-test"),
                Map.entry("streams.grace.ms", "300000"),
                Map.entry("streams.dedup.horizon.ms", "5400000"),
                Map.entry("streams.emit.interval.ms", "750"),
                Map.entry("streams.commit.interval.ms", "200"),
                Map.entry("streams.cache.max.bytes", "0"),
                Map.entry("streams.rocksdb.memory.bytes", "33554432"),
                Map.entry("streams.num.stream.threads", "2"),
                Map.entry("streams.alerts.format", "JSON"),
                Map.entry("streams.state.dir", "/var/lib/hourglass"),
                Map.entry("streams.processing.guarantee", "at_least_once")));

    assertThat(c.grace()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.dedupHorizon()).isEqualTo(Duration.ofMinutes(90));
    assertThat(c.emitInterval()).isEqualTo(Duration.ofMillis(750));
    assertThat(c.alertsFormat()).isEqualTo(AlertsFormat.JSON);
    assertThat(c.topics().rollups().name()).isEqualTo("t.rollups");
    Properties p;
    try (RocksDBMemory memory = c.rocksDBMemory()) {
      p = c.streamsProperties(memory);
    }
    assertThat(p.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo("broker:9093");
    assertThat(p.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("hg-test");
    assertThat(p.getProperty(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo("200");
    assertThat(p.getProperty(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG)).isEqualTo("0");
    assertThat(p.getProperty(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo("2");
    assertThat(c.rocksDBMemoryBytes()).isEqualTo(33_554_432L);
    assertThat(p.getProperty(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG))
        .isEqualTo(BoundedRocksDB.class.getName());
    assertThat(p.getProperty(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo("/var/lib/hourglass");
    assertThat(p.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("at_least_once");
    assertThat(p.getProperty(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG))
        .isEqualTo("t.dead-letters");
  }

  @Test
  void shouldReportEveryProblemAtOnce() {
    Map<String, String> s = new HashMap<>();
    s.put("streams.grace", "10m");
    s.put("streams.grace.ms", "soon");
    s.put("streams.dedup.horizon.ms", "1800000");
    s.put("streams.commit.interval.ms", "fast");
    s.put("streams.num.stream.threads", "0");
    s.put("streams.alerts.format", "xml");
    s.put("streams.processing.guarantee", "exactly_once");
    s.put("streams.rules.file", "/nonexistent/rules.yaml");

    assertThatThrownBy(() -> ProcessorConfig.from(s))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            String.join(
                "\n",
                "Invalid value (not set) for configuration bootstrap.servers: required, no"
                    + " default",
                "Invalid value xml for configuration streams.alerts.format: must be one of avro,"
                    + " json",
                "Invalid value fast for configuration streams.commit.interval.ms: must be a whole"
                    + " number of milliseconds",
                "Invalid value 1800000 for configuration streams.dedup.horizon.ms: Value must be"
                    + " at least 3600000",
                "Invalid value 10m for configuration streams.grace: was renamed to"
                    + " streams.grace.ms (milliseconds)",
                "Invalid value soon for configuration streams.grace.ms: must be a whole number of"
                    + " milliseconds",
                "Invalid value 0 for configuration streams.num.stream.threads: Value must be at"
                    + " least 1",
                "Invalid value exactly_once for configuration streams.processing.guarantee:"
                    + " String must be one of: exactly_once_v2, at_least_once",
                "Invalid value /nonexistent/rules.yaml for configuration streams.rules.file: no"
                    + " readable file there"));
  }

  @Test
  void shouldRequireTheDedupHorizonToCoverWindowAndGrace() {
    Map<String, String> s = new HashMap<>(REQUIRED);
    s.put("streams.grace.ms", "1800000");
    s.put("streams.dedup.horizon.ms", "5340000");

    assertThatThrownBy(() -> ProcessorConfig.from(s))
        .hasMessage(
            "Invalid value 5340000 for configuration streams.dedup.horizon.ms: must be at least"
                + " the window (3600000) plus streams.grace.ms: 5400000");
    s.put("streams.dedup.horizon.ms", "5400000");
    assertThat(ProcessorConfig.from(s).dedupHorizon()).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void shouldNameTheNewKeyOfEveryRenamedDuration() {
    assertThatThrownBy(
            () ->
                ProcessorConfig.from(
                    Map.of(
                        "bootstrap.servers", "b:1",
                        "streams.dedup.horizon", "2h",
                        "streams.emit.interval", "1s")))
        .hasMessage(
            "Invalid value 2h for configuration streams.dedup.horizon: was renamed to"
                + " streams.dedup.horizon.ms (milliseconds)\n"
                + "Invalid value 1s for configuration streams.emit.interval: was renamed to"
                + " streams.emit.interval.ms (milliseconds)");
  }

  @Test
  void shouldRefuseAnUnknownKeyNamingIt() {
    assertThatThrownBy(
            () -> ProcessorConfig.from(Map.of("bootstrap.servers", "b:1", "streams.graze.ms", "5")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value 5 for configuration streams.graze.ms: unknown key");
  }

  @Test
  void shouldPassStreamsKafkaSettingsToKafkaStreams() {
    ProcessorConfig c =
        ProcessorConfig.from(
            Map.of(
                "bootstrap.servers", "b:1",
                "streams.kafka.group.instance.id", "streams-a",
                "streams.kafka.group.protocol", "streams",
                "streams.kafka.consumer.session.timeout.ms", "10000"));

    assertThat(c.kafkaOverrides())
        .containsOnly(
            Map.entry("group.instance.id", "streams-a"),
            Map.entry("group.protocol", "streams"),
            Map.entry("consumer.session.timeout.ms", "10000"));
    Properties p;
    try (RocksDBMemory memory = c.rocksDBMemory()) {
      p = c.streamsProperties(memory);
    }
    assertThat(p)
        .containsEntry("group.instance.id", "streams-a")
        .containsEntry("group.protocol", "streams")
        .containsEntry("consumer.session.timeout.ms", "10000")
        .containsEntry("processing.guarantee", "exactly_once_v2");
    assertThat(ProcessorConfig.from(c.settings())).isEqualTo(c);
  }

  @Test
  void shouldRefuseStreamsKafkaKeysTheProcessorSetsItself() {
    assertThatThrownBy(
            () ->
                ProcessorConfig.from(
                    Map.of(
                        "bootstrap.servers", "b:1",
                        "streams.kafka.processing.guarantee", "at_least_once",
                        "streams.kafka.default.deserialization.exception.handler", "x")))
        .hasMessage(
            "Invalid value x for configuration"
                + " streams.kafka.default.deserialization.exception.handler: the processor sets it"
                + " itself; dead letters depend on it\n"
                + "Invalid value at_least_once for configuration"
                + " streams.kafka.processing.guarantee: set it with streams.processing.guarantee");
  }

  @Test
  void shouldDescribeTheEffectiveConfigurationAsItsKeys() {
    ProcessorConfig c = ProcessorConfig.from(Map.of("bootstrap.servers", "b:1"));

    assertThat(ProcessorConfig.from(c.settings())).isEqualTo(c);
    assertThat(c.describe())
        .startsWith(
            "\n  bootstrap.servers = b:1\n  topic.prefix = hourglass.\n"
                + "  streams.application.id = hourglass-streams\n  streams.grace.ms = 600000\n");
  }
}
