package dev.hourglass.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ProcessorConfigTest {

  @Test
  void shouldUseTheDocumentedDefaults() {
    ProcessorConfig c = ProcessorConfig.defaultConfig();
    assertThat(c.bootstrapServers()).isEqualTo("localhost:9092");
    assertThat(c.applicationId()).isEqualTo("hourglass-streams");
    assertThat(c.topicPrefix()).isEqualTo("hourglass.");
    assertThat(c.grace()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.dedupHorizon()).isEqualTo(Duration.ofHours(2));
    assertThat(c.emitInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.commitIntervalMs()).isEqualTo(100L);
    assertThat(c.cacheMaxBytes()).isEqualTo(10L * 1024 * 1024);
    assertThat(c.numStreamThreads()).isEqualTo(1);
    assertThat(c.rulesFile()).isNull();
    assertThat(c.alertsFormat()).isEqualTo(AlertsFormat.AVRO);
    assertThat(c.processingGuarantee()).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
  }

  @Test
  void shouldReadEveryKey() {
    ProcessorConfig c =
        ProcessorConfig.from(
            Map.ofEntries(
                Map.entry("bootstrap.servers", "broker:9093"),
                Map.entry("application.id", "hg-test"),
                Map.entry("topic.prefix", "t."),
                Map.entry("grace", "PT5M"),
                Map.entry("dedup.horizon", "90m"),
                Map.entry("emit.interval", "250ms"),
                Map.entry("commit.interval.ms", "200"),
                Map.entry("cache.max.bytes", "0"),
                Map.entry("num.stream.threads", "2"),
                Map.entry("alerts.format", "JSON"),
                Map.entry("state.dir", "/var/lib/hourglass"),
                Map.entry("processing.guarantee", "at_least_once")));
    assertThat(c.grace()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.dedupHorizon()).isEqualTo(Duration.ofMinutes(90));
    assertThat(c.emitInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.topics().rollups().name()).isEqualTo("t.rollups");
    Properties p = c.streamsProperties();
    assertThat(p.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo("broker:9093");
    assertThat(p.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("hg-test");
    assertThat(p.getProperty(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo("200");
    assertThat(p.getProperty(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG)).isEqualTo("0");
    assertThat(p.getProperty(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo("2");
    assertThat(p.getProperty(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo("/var/lib/hourglass");
    assertThat(p.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("at_least_once");
    assertThat(p.getProperty(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG))
        .isEqualTo("t.dead-letters");
  }

  @Test
  void shouldReportEveryProblemAtOnce() {
    assertThatThrownBy(
            () ->
                ProcessorConfig.from(
                    Map.of(
                        "grace", "soon",
                        "dedup.horizon", "30m",
                        "commit.interval.ms", "fast",
                        "num.stream.threads", "0",
                        "alerts.format", "xml",
                        "processing.guarantee", "exactly_once",
                        "rules.file", "/nonexistent/rules.yaml")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid value soon for configuration grace: not a duration (for example 500ms, 10s,"
                + " 10m, 2h, 1d or PT10M); "
                + "Invalid value fast for configuration commit.interval.ms: not a whole number; "
                + "Invalid value xml for configuration alerts.format: must be avro or json; "
                + "Invalid value PT30M for configuration dedup.horizon: must be at least the window"
                + " (1 hour) plus grace (PT1H10M) and at most 30 days; "
                + "Invalid value 0 for configuration num.stream.threads: must be between 1 and 64; "
                + "Invalid value /nonexistent/rules.yaml for configuration rules.file: no readable"
                + " file there; "
                + "Invalid value exactly_once for configuration processing.guarantee: must be"
                + " exactly_once_v2 (the default) or at_least_once (benchmarks only)");
  }

  @Test
  void shouldRequireTheDedupHorizonToCoverWindowAndGrace() {
    assertThatThrownBy(() -> ProcessorConfig.from(Map.of("grace", "30m", "dedup.horizon", "89m")))
        .hasMessage(
            "Invalid value PT1H29M for configuration dedup.horizon: must be at least the window"
                + " (1 hour) plus grace (PT1H30M) and at most 30 days");
    assertThat(ProcessorConfig.from(Map.of("grace", "30m", "dedup.horizon", "90m")).dedupHorizon())
        .isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void shouldRefuseUnknownKeyNamingIt() {
    assertThatThrownBy(() -> ProcessorConfig.from(Map.of("grace.period", "5m")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "Invalid value 5m for configuration grace.period: unknown key (known: alerts.format,"
                + " application.id, bootstrap.servers, cache.max.bytes, commit.interval.ms,"
                + " dedup.horizon, emit.interval, grace, num.stream.threads,"
                + " processing.guarantee, rules.file, state.dir, topic.prefix)");
  }
}
