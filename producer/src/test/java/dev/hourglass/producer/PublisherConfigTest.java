package dev.hourglass.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PublisherConfigTest {

  @Test
  void shouldUseMeasuredDefaults() {
    PublisherConfig c = PublisherConfig.defaults("k:9092");

    assertThat(c)
        .isEqualTo(
            new PublisherConfig(
                "k:9092",
                "hourglass.",
                "hourglass-publisher",
                Duration.ofMillis(5),
                65_536,
                "snappy",
                33_554_432L,
                Duration.ofSeconds(10),
                Duration.ofMinutes(2),
                Duration.ofSeconds(30),
                5,
                Map.of()));
  }

  @Test
  void shouldSetTheIdempotentProducerWithAcksAll() {
    Map<String, Object> p =
        EventPublisher.producerProperties(
            PublisherConfig.from(
                Map.of("bootstrap.servers", "k:1", "kafka.security.protocol", "SSL")));

    assertThat(p)
        .containsEntry("acks", "all")
        .containsEntry("enable.idempotence", true)
        .containsEntry("max.in.flight.requests.per.connection", 5)
        .containsEntry("compression.type", "snappy")
        .containsEntry("linger.ms", 5)
        .containsEntry("batch.size", 65_536)
        .containsEntry("buffer.memory", 33_554_432L)
        .containsEntry("max.block.ms", 10_000L)
        .containsEntry("delivery.timeout.ms", 120_000)
        .containsEntry("security.protocol", "SSL");
  }

  @Test
  void shouldReportEveryBadValueAtOnce() {
    assertThatThrownBy(
            () ->
                PublisherConfig.from(
                    Map.of(
                        "topic.prefix", "bad prefix",
                        "linger.ms", "soon",
                        "batch.size", "-1",
                        "compression.type", "brotli",
                        "buffer.memory", "0",
                        "max.in.flight.requests.per.connection", "6",
                        "kafka.acks", "1",
                        "kafka.linger.ms", "20",
                        "lingerms", "5")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            String.join(
                "\n",
                "Invalid value -1 for configuration batch.size: Value must be at least 0",
                "Invalid value (not set) for configuration bootstrap.servers: required, no"
                    + " default",
                "Invalid value 0 for configuration buffer.memory: Value must be at least 1",
                "Invalid value brotli for configuration compression.type: must be one of none,"
                    + " gzip, snappy, lz4, zstd",
                "Invalid value 1 for configuration kafka.acks: set by the publisher itself",
                "Invalid value 20 for configuration kafka.linger.ms: set by the publisher"
                    + " itself; use linger.ms",
                "Invalid value soon for configuration linger.ms: must be a whole number of"
                    + " milliseconds",
                "Invalid value 5 for configuration lingerms: unknown key",
                "Invalid value 6 for configuration max.in.flight.requests.per.connection: Value"
                    + " must be no more than 5",
                "Invalid value bad prefix for configuration topic.prefix: must be at most 200 of"
                    + " A-Z a-z 0-9 . _ - (or empty)"));
  }

  @Test
  void shouldRefuseADeliveryTimeoutKafkaWouldRefuse() {
    assertThatThrownBy(
            () ->
                PublisherConfig.from(
                    Map.of("bootstrap.servers", "k:1", "delivery.timeout.ms", "1000")))
        .hasMessage(
            "Invalid value 1000 for configuration delivery.timeout.ms: must be at least"
                + " linger.ms + request.timeout.ms (30005)");
    assertThatThrownBy(
            () ->
                PublisherConfig.from(
                    Map.of(
                        "bootstrap.servers", "k:1", "batch.size", "1000", "buffer.memory", "999")))
        .hasMessage(
            "Invalid value 999 for configuration buffer.memory: must be at least batch.size"
                + " (1000)");
  }

  @Test
  void shouldMaskSecretsWhenPrinted() {
    PublisherConfig c =
        PublisherConfig.from(
            Map.of(
                "bootstrap.servers", "k:1",
                "kafka.sasl.jaas.config", "user=x password=y",
                "kafka.ssl.key.password", "s3cret"));

    assertThat(c.toString())
        .contains("\n  kafka.sasl.jaas.config = <masked>", "\n  kafka.ssl.key.password = <masked>")
        .doesNotContain("s3cret", "password=y");
  }

  @Test
  void shouldRoundTripThroughItsMap() {
    PublisherConfig c = PublisherConfig.defaults("k:1").with("compression.type", "zstd");

    assertThat(PublisherConfig.from(c.asMap())).isEqualTo(c);
    assertThat(c.compression()).isEqualTo("zstd");
  }
}
