package dev.hourglass.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
                "lz4",
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
        .containsEntry("compression.type", "lz4")
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
                        "delivery.timeout.ms", "1000",
                        "kafka.acks", "1",
                        "lingerms", "5")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid value 5 for configuration lingerms: unknown key (known: batch.size,"
                + " bootstrap.servers, buffer.memory, client.id, compression.type,"
                + " delivery.timeout.ms, linger.ms, max.block.ms,"
                + " max.in.flight.requests.per.connection, request.timeout.ms, topic.prefix,"
                + " kafka.<producer setting>); "
                + "Invalid value soon for configuration linger.ms: not an integer up to"
                + " 9223372036854775807; "
                + "Invalid value null for configuration bootstrap.servers: required,"
                + " host:port[,...]; "
                + "Invalid value bad prefix for configuration topic.prefix: must be at most 200 of"
                + " A-Z a-z 0-9 . _ - (or empty); "
                + "Invalid value -1 for configuration batch.size: must be between 0 and 16777216"
                + " bytes; "
                + "Invalid value brotli for configuration compression.type: must be one of none,"
                + " gzip, snappy, lz4, zstd; "
                + "Invalid value 0 for configuration buffer.memory: must be at least batch.size"
                + " (-1) and at least 1; "
                + "Invalid value 1000 for configuration delivery.timeout.ms: must be at least"
                + " linger.ms + request.timeout.ms (30005); "
                + "Invalid value 6 for configuration max.in.flight.requests.per.connection: must"
                + " be between 1 and 5 (idempotent producer); "
                + "Invalid value 1 for configuration kafka.acks: set by the publisher itself");
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
        .contains("kafka.sasl.jaas.config=<masked>", "kafka.ssl.key.password=<masked>")
        .doesNotContain("s3cret", "password=y");
  }

  @Test
  void shouldRoundTripThroughItsMap() {
    PublisherConfig c = PublisherConfig.defaults("k:1").with("compression.type", "zstd");

    assertThat(PublisherConfig.from(c.asMap())).isEqualTo(c);
    assertThat(c.compression()).isEqualTo("zstd");
  }
}
