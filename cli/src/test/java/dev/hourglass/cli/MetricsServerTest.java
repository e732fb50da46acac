package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.config.ConfigException;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void shouldAnswerReadyOnlyWhenEveryComponentIs() throws Exception {
    AtomicBoolean sinkReady = new AtomicBoolean(false);
    try (Meters meters = new Meters();
        MetricsServer server =
            MetricsServer.start(
                    "127.0.0.1",
                    freePort(),
                    meters.registry(),
                    List.of(
                        new MetricsServer.Probe("streams", () -> true, () -> true),
                        new MetricsServer.Probe("sink", () -> true, sinkReady::get)))
                .orElseThrow()) {
      String base = "http://127.0.0.1:" + server.port();

      assertThat(get(base + "/health/live")).isEqualTo("200 streams live\nsink live\n");
      assertThat(get(base + "/health/ready")).isEqualTo("503 streams ready\nsink not ready\n");
      sinkReady.set(true);
      assertThat(get(base + "/health/ready")).isEqualTo("200 streams ready\nsink ready\n");
    }
  }

  @Test
  void shouldServeTheRegistryInPrometheusFormat() throws Exception {
    try (Meters meters = new Meters();
        MetricsServer server =
            MetricsServer.start("127.0.0.1", freePort(), meters.registry(), List.of())
                .orElseThrow()) {
      Counter.builder("hourglass.test.things").register(meters.registry()).increment(3);

      assertThat(get(server.url()))
          .startsWith("200 ")
          .contains("\nhourglass_test_things_total 3.0\n")
          .contains("jvm_memory_used_bytes{");
    }
  }

  @Test
  void shouldServeNothingOnPortZero() {
    try (Meters meters = new Meters()) {
      assertThat(MetricsServer.start("127.0.0.1", 0, meters.registry(), List.of())).isEmpty();
    }
  }

  @Test
  void shouldNameTheKeyWhenThePortIsTaken() throws Exception {
    try (Meters meters = new Meters();
        java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> MetricsServer.start("127.0.0.1", port, meters.registry(), List.of()))
          .isInstanceOf(ConfigException.class)
          .hasMessage(
              "Invalid value "
                  + port
                  + " for configuration metrics.port: 127.0.0.1:"
                  + port
                  + " is in use; choose a free port, or 0 to turn the endpoints off");
    }
  }

  private static String get(String url) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
