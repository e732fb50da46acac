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
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern METRIC =
      Pattern.compile("\\b(hourglass|kafka|hikaricp|jvm|process|system)_[a-z0-9_]+");

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

      // Every metric a dashboard panel queries is exposed (the binders add per-partition lag a
      // refresh after the first fetch), and docs/metrics.md lists exactly the pipeline's own.
      String metricsUrl = "http://127.0.0.1:" + metricsPort + "/metrics";
      Set<String> queried = dashboardMetrics();
      assertThat(queried).hasSizeGreaterThan(20);
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofSeconds(2))
          .untilAsserted(() -> assertThat(exposed(metricsUrl)).containsAll(queried));
      // A summary's _count, _sum and _max are one documented metric.
      Set<String> ours = new TreeSet<>();
      exposed(metricsUrl).stream()
          .filter(name -> name.startsWith("hourglass_"))
          .forEach(name -> ours.add(name.replaceFirst("_seconds_(count|sum|max)$", "_seconds")));
      assertThat(ours).isEqualTo(documentedMetrics());

      // hourglass status reads the same endpoint and the database, with the client settings local
      // mode wrote (the password by its file): healthy, exit 0.
      Path statusConfig =
          Files.writeString(
              dir.resolve("status.properties"),
              Files.readString(dir.resolve("data").resolve(LocalCommand.CLIENT_SETTINGS))
                  + "\nmetrics.port="
                  + metricsPort);
      StatusCommand status = new StatusCommand();
      ByteArrayOutputStream screen = new ByteArrayOutputStream();
      status.out = new PrintStream(screen, true, StandardCharsets.UTF_8);
      int exit =
          new CommandLine(status).execute("-c", statusConfig.toString(), "--interval", "PT0.5S");
      String shown = screen.toString(StandardCharsets.UTF_8);
      assertThat(exit).as(shown).isZero();
      assertThat(shown)
          .contains("streams ready, sink ready")
          .containsPattern(
              "events counted +" + String.format("%,d", books.totals().counted()) + " ")
          .contains("dead letters in the last hour " + (invalid + poison))
          .endsWith("HEALTHY\n");
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

  /** Metric names in the Prometheus queries of the Grafana dashboards in ops/grafana. */
  private static Set<String> dashboardMetrics() throws IOException {
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.list(ROOT.resolve("ops/grafana/dashboards"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        for (JsonNode expr : JSON.readTree(file.toFile()).findValues("expr")) {
          Matcher m = METRIC.matcher(expr.asText());
          while (m.find()) {
            names.add(m.group());
          }
        }
      }
    }
    return names;
  }

  /** The metric names of the first column of docs/metrics.md's table of the pipeline's own. */
  private static Set<String> documentedMetrics() throws IOException {
    Set<String> names = new TreeSet<>();
    Matcher m =
        Pattern.compile("(?m)^\\| `(hourglass_[a-z_]+)`")
            .matcher(Files.readString(ROOT.resolve("docs/metrics.md")));
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The metric names on the endpoint. */
  private static Set<String> exposed(String url) throws IOException, InterruptedException {
    String text =
        HTTP.send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Set<String> names = new TreeSet<>();
    for (String line : text.split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        String name = line.split("[{ ]", 2)[0];
        names.add(name);
      }
    }
    return names;
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
