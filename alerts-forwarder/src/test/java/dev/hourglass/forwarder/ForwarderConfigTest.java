package dev.hourglass.forwarder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.config.ConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ForwarderConfigTest {

  @Test
  void shouldTakeTheDocumentedDefaults() {
    ForwarderConfig c =
        ForwarderConfig.from(
            Map.of(
                "bootstrap.servers", "b:1", ForwarderConfig.ALERTMANAGER_URL, "http://am:9093/"));

    assertThat(c)
        .isEqualTo(
            new ForwarderConfig(
                "b:1",
                "hourglass.",
                URI.create("http://am:9093"),
                "hourglass-alerts-forwarder",
                Duration.ofMinutes(1),
                Duration.ofSeconds(10),
                Duration.ofMillis(500),
                Duration.ofSeconds(30),
                Map.of()));
    assertThat(c.alertsTopic()).isEqualTo("hourglass.alerts");
  }

  @Test
  void shouldReportEveryBadSettingAtOnce() {
    assertThatThrownBy(
            () ->
                ForwarderConfig.from(
                    Map.of(
                        ForwarderConfig.ALERTMANAGER_URL,
                        "am:9093",
                        ForwarderConfig.RESEND_INTERVAL_MS,
                        "10")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bootstrap.servers")
        .hasMessageContaining(
            "Invalid value am:9093 for configuration forwarder.alertmanager.url: must be an"
                + " http:// or https:// URL")
        .hasMessageContaining("Invalid value 10 for configuration forwarder.resend.interval.ms");
  }
}
