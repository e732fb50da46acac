package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A real Prometheus (the Debian package's server, which {@code .ci/run} installs) scrapes local
 * mode's metrics endpoint while the pipeline keeps running, and its query API must give exactly the
 * books local mode printed: events counted, duplicates suppressed, dead letters by reason (equal to
 * the injected faults and to the rows in PostgreSQL), and the sink's rows per table.
 */
class PrometheusIT {
  private static final Duration PATIENCE = Duration.ofMinutes(5);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldServeTheBooksToPrometheusExactly(@TempDir Path dir) throws Exception {
    requirePrometheus();
    int metricsPort = freePort();
    Path config = Files.writeString(dir.resolve("local.properties"), "metrics.port=" + metricsPort);
    LocalCommand local = new LocalCommand();
    new CommandLine(local)
        .parseArgs(
            "-c",
            config.toString(),
            "--data-dir",
            dir.resolve("data").toString(),
            "--events",
            "3000",
            "--seed",
            "15",
            "--orgs",
            "5",
            "--invalid-fraction",
            "0.01",
            "--poison-fraction",
            "0.005",
            "--duplicate-fraction",
            "0.02",
            "--keep-running");
    AtomicReference<Throwable> failed = new AtomicReference<>();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Thread pipeline =
        new Thread(
            () -> {
              try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
                local.run(out);
              } catch (Exception | AssertionError e) {
                failed.set(e);
              }
            },
            "local-mode");
    pipeline.start();
    Process prometheus = null;
    try {
      await()
          .atMost(PATIENCE)
          .until(() -> local.summary != null || failed.get() != null || !pipeline.isAlive());
      assertThat(failed.get()).as("local mode failed").isNull();
      Summary books = local.summary;
      assertThat(books).as("local mode's output:%n%s", printed).isNotNull();
      assertThat(books.balanced()).isTrue();
      assertThat(printed.toString(StandardCharsets.UTF_8))
          .contains("Metrics:   curl http://127.0.0.1:" + metricsPort + "/metrics");

      int prometheusPort = freePort();
      prometheus = startPrometheus(dir, prometheusPort, metricsPort);
      String api = "http://127.0.0.1:" + prometheusPort;
      await()
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> query(api, "up{job=\"hourglass\"}").equals(Map.of("", 1L)));

      long invalid = books.sent().injected("invalid");
      long poison = books.sent().injected("poison");
      long duplicates = books.sent().injected("duplicate");
      assertThat(invalid + poison).isEqualTo(45);
      Map<String, Long> deadLetters =
          query(api, "sum by (reason) (hourglass_processor_dead_letters_total)");
      assertThat(deadLetters).isEqualTo(books.totals().deadLetters());
      assertThat(sum(deadLetters)).isEqualTo(invalid + poison);
      assertThat(query(api, "sum(hourglass_processor_events_counted_total)"))
          .isEqualTo(Map.of("", books.totals().counted()))
          .isEqualTo(Map.of("", 3000 - invalid - poison - duplicates));
      assertThat(query(api, "sum(hourglass_processor_duplicates_suppressed_total)"))
          .isEqualTo(Map.of("", duplicates));
      assertThat(query(api, "sum(hourglass_processor_late_corrected_total)"))
          .isEqualTo(Map.of("", books.totals().lateCorrected()));
      assertThat(
              query(
                  api,
                  "sum by (table) (hourglass_sink_rows_written_total{table=\"dead_letters\"})"))
          .isEqualTo(Map.of("dead_letters", invalid + poison));
      assertThat(query(api, "sum(hourglass_sink_retries_total)")).isEqualTo(Map.of("", 0L));
    } finally {
      if (prometheus != null) {
        prometheus.destroy();
        if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
          prometheus.destroyForcibly();
        }
      }
      local.stop.countDown();
      pipeline.join(Duration.ofMinutes(2).toMillis());
    }
    assertThat(pipeline.isAlive()).as("local mode stopped").isFalse();
  }

  /**
   * The instant vector of {@code promql}, each sample's value by its only label's value ({@code ""}
   * for a sample without labels), as whole numbers.
   */
  private static Map<String, Long> query(String api, String promql)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        api
                            + "/api/v1/query?query="
                            + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s: %s", promql, response.body()).isEqualTo(200);
    Map<String, Long> out = new TreeMap<>();
    for (JsonNode sample : JSON.readTree(response.body()).path("data").path("result")) {
      JsonNode labels = sample.path("metric");
      List<String> values = new ArrayList<>();
      labels
          .properties()
          .forEach(
              e -> {
                if (!e.getKey().equals("__name__")
                    && !e.getKey().equals("instance")
                    && !e.getKey().equals("job")) {
                  values.add(e.getValue().asText());
                }
              });
      out.put(
          String.join(",", values),
          Math.round(Double.parseDouble(sample.path("value").get(1).asText())));
    }
    return out;
  }

  private static long sum(Map<String, Long> values) {
    return values.values().stream().mapToLong(Long::longValue).sum();
  }

  private static Process startPrometheus(Path dir, int port, int metricsPort) throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("prometheus.yml"),
            String.join(
                "\n",
                "global:",
                "  scrape_interval: 1s",
                "scrape_configs:",
                "  - job_name: hourglass",
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + metricsPort + "']",
                ""));
    Path log = dir.resolve("prometheus.log");
    return new ProcessBuilder(
            "prometheus",
            "--config.file=" + config,
            "--storage.tsdb.path=" + dir.resolve("prometheus-data"),
            "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void requirePrometheus() throws InterruptedException {
    try {
      Process version =
          new ProcessBuilder("prometheus", "--version").redirectErrorStream(true).start();
      version.getInputStream().readAllBytes();
      if (!version.waitFor(10, TimeUnit.SECONDS) || version.exitValue() != 0) {
        throw new AssertionError(
            "prometheus --version failed; reinstall it (apt-get install -y prometheus)");
      }
    } catch (IOException e) {
      throw new AssertionError(
          "Prometheus is not installed: this test queries a real one. Install it with"
              + " `apt-get install -y prometheus` (CI installs it in .ci/run).",
          e);
    }
  }
}
