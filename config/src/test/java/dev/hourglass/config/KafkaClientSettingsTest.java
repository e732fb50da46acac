package dev.hourglass.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class KafkaClientSettingsTest {
  private static final String JAAS =
      "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\""
          + " password=\"s3cret\";";

  @Test
  void shouldPassEveryKafkaSettingToTheClientWithoutItsPrefix() {
    Values v =
        Shared.KAFKA.parse(
            Map.of(
                "bootstrap.servers", "b:9093",
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.jaas.config", JAAS));

    assertThat(Shared.kafkaClient(v))
        .isEqualTo(
            Map.of(
                "bootstrap.servers", "b:9093",
                "security.protocol", "SASL_SSL",
                "sasl.jaas.config", JAAS));
  }

  @Test
  void shouldRefuseTheBrokersAddressUnderThePrefix() {
    assertThatThrownBy(
            () ->
                Shared.KAFKA.parse(
                    Map.of("bootstrap.servers", "b:9093", "kafka.bootstrap.servers", "c:9093")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid value c:9093 for configuration kafka.bootstrap.servers: set it with"
                + " bootstrap.servers");
  }

  @Test
  void shouldMaskTheJaasLineAndPasswordsInTheLog() {
    Map<String, String> settings = new TreeMap<>();
    settings.put("kafka.sasl.jaas.config", JAAS);
    settings.put("kafka.ssl.truststore.password", "s3cret");
    settings.put("kafka.security.protocol", "SASL_SSL");

    assertThat(Declarations.describe(settings))
        .isEqualTo(
            "\n  kafka.sasl.jaas.config = <masked>"
                + "\n  kafka.security.protocol = SASL_SSL"
                + "\n  kafka.ssl.truststore.password = <masked>");
  }
}
