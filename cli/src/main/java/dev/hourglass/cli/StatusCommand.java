package dev.hourglass.cli;

import dev.hourglass.config.Shared;
import dev.hourglass.config.Values;
import dev.hourglass.schema.MaintenanceRuns;
import dev.hourglass.schema.PipelineStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One screen that tells an operator whether the pipeline is healthy: each component's readiness,
 * rates, lag and freshness from its metrics endpoint (scraped twice, {@code --interval} apart), and
 * from PostgreSQL the dead letters of the last hour and the alerts still firing. Exit 0 when every
 * endpoint answers ready, 1 otherwise.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "Is the pipeline healthy? Readiness, rates, consumer lag and freshness from each"
            + " component's metrics endpoint, dead letters of the last hour and firing alerts from"
            + " PostgreSQL (when jdbc.url is set). Exit 0 when every component is ready, 1 otherwise.")
final class StatusCommand implements Callable<Integer> {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  @Mixin ConfigOption config;

  @Option(
      names = "--metrics",
      paramLabel = "URL",
      description =
          "A component's metrics URL, once per component (default"
              + " http://127.0.0.1:<metrics.port>/metrics).")
  List<String> urls = new ArrayList<>();

  @Option(
      names = "--interval",
      defaultValue = "PT2S",
      description = "Time between the two scrapes that rates are computed from (default 2 s).")
  Duration interval;

  PrintStream out = System.out;

  @Override
  public Integer call() throws InterruptedException {
    Settings settings = config.settings();
    List<String> endpoints = urls;
    if (endpoints.isEmpty()) {
      int port = settings.read(Shared.METRICS).getInt(Shared.METRICS_PORT);
      endpoints = List.of("http://127.0.0.1:" + port + "/metrics");
    }
    out.println("== Hourglass status at " + Instant.now());
    boolean healthy = true;
    List<Scrape> first = new ArrayList<>();
    for (String url : endpoints) {
      first.add(Scrape.of(url));
    }
    Thread.sleep(interval.toMillis());
    for (int i = 0; i < endpoints.size(); i++) {
      healthy &= show(endpoints.get(i), first.get(i), Scrape.of(endpoints.get(i)));
    }
    if (settings.values().containsKey(Shared.JDBC_URL)) {
      healthy &= showDatabase(settings.read(Shared.JDBC));
    } else {
      out.println("database: not checked (no jdbc.url)");
    }
    out.println(healthy ? "HEALTHY" : "NOT HEALTHY");
    return healthy ? 0 : Hourglass.FAILED;
  }

  private boolean show(String url, Scrape before, Scrape after) {
    out.println(url);
    if (after.error() != null) {
      out.println("  unreachable: " + after.error());
      return false;
    }
    out.println("  health     " + after.ready().strip().replace("\n", ", "));
    double seconds = (after.at() - before.at()) / 1e9;
    line("events counted", after, before, seconds, "hourglass_processor_events_counted_total");
    line("dead-lettered", after, before, seconds, "hourglass_processor_dead_letters_total");
    line("duplicates", after, before, seconds, "hourglass_processor_duplicates_suppressed_total");
    line("rows written", after, before, seconds, "hourglass_sink_rows_written_total");
    line("sink batches", after, before, seconds, "hourglass_sink_batches_committed_total");
    line("sink retries", after, before, seconds, "hourglass_sink_retries_total");
    line("commits rejected", after, before, seconds, "hourglass_sink_commits_rejected_total");
    Map<String, Double> lag =
        after.byLabel("kafka_consumer_fetch_manager_records_lag", "client_id");
    if (!lag.isEmpty()) {
      out.printf(
          "  lag        %,.0f records (%s)%n",
          lag.values().stream()
              .mapToDouble(Double::doubleValue)
              .filter(v -> !Double.isNaN(v))
              .sum(),
          describe(lag, "%.0f"));
    }
    Map<String, Double> freshness =
        after.byLabel("hourglass_sink_freshness_seconds", "family", "of");
    if (!freshness.isEmpty()) {
      out.println(
          "  freshness  " + describe(freshness, "%.0f s") + " (now minus newest in PostgreSQL)");
    }
    return after.ready().contains(" ready") && !after.ready().contains("not ready");
  }

  private void line(String what, Scrape after, Scrape before, double seconds, String metric) {
    if (!after.has(metric)) {
      return;
    }
    double now = after.sum(metric);
    double rate = seconds > 0 ? (now - before.sum(metric)) / seconds : 0;
    out.printf("  %-16s %,.0f  (%,.1f/s)%n", what, now, rate);
  }

  private static String describe(Map<String, Double> values, String format) {
    List<String> parts = new ArrayList<>();
    values.forEach(
        (k, v) -> parts.add(k + " " + (v.isNaN() ? "n/a" : String.format(Locale.ROOT, format, v))));
    return String.join(", ", parts);
  }

  private boolean showDatabase(Values jdbc) {
    try {
      String password = Shared.jdbcPassword(jdbc);
      PipelineStatus.Snapshot s =
          PipelineStatus.read(
              jdbc.getString(Shared.JDBC_URL), jdbc.getString(Shared.JDBC_USER), password, 5);
      long dead = s.deadLettersLastHour().values().stream().mapToLong(Long::longValue).sum();
      out.printf("database: dead letters in the last hour %,d %s%n", dead, s.deadLettersLastHour());
      out.printf("          firing alerts %,d%n", s.firingCount());
      s.firing()
          .forEach(
              f ->
                  out.printf(
                      "            %s %s %s %s hour %s%n",
                      f.severity(), f.rule(), f.entityType(), f.entityKey(), f.hour()));
      List<MaintenanceRuns.Run> runs;
      try {
        runs =
            MaintenanceRuns.connect(
                    jdbc.getString(Shared.JDBC_URL), jdbc.getString(Shared.JDBC_USER), password)
                .runs();
      } catch (IllegalStateException e) {
        // A login that may read the pipeline's tables but not maintenance_jobs still gets the rest.
        out.printf("          maintenance: %s%n", e.getMessage());
        return true;
      }
      out.printf("          maintenance (last runs, by any sink)%n");
      for (MaintenanceRuns.Run r : runs) {
        out.printf(
            "            %-22s %s at %s, %s ms (%d runs, %d failed)%s%n",
            r.job(),
            r.outcome(),
            r.lastStarted(),
            r.durationMs(),
            r.runs(),
            r.failures(),
            "failed".equals(r.outcome()) ? ": " + r.detail() : "");
      }
      return true;
    } catch (IllegalStateException e) {
      out.println("database: unreachable: " + e.getMessage());
      return false;
    }
  }

  /** One scrape of a metrics endpoint and its readiness probe. */
  record Scrape(long at, List<Sample> samples, String ready, String error) {
    record Sample(String name, Map<String, String> labels, double value) {}

    static Scrape of(String url) {
      long at = System.nanoTime();
      try {
        String text = get(url);
        String ready = get(url.replaceFirst("/metrics$", "/health/ready"));
        return new Scrape(at, parse(text), ready, null);
      } catch (IOException e) {
        return new Scrape(at, List.of(), "", e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Scrape(at, List.of(), "", "interrupted");
      }
    }

    /** The body whatever the status: a 503 of /health/ready says which component is not ready. */
    private static String get(String url) throws IOException, InterruptedException {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    }

    /** Prometheus text format: {@code name{a="x",b="y"} value}; comments skipped. */
    static List<Sample> parse(String text) {
      List<Sample> out = new ArrayList<>();
      for (String line : text.split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int brace = line.indexOf('{');
        int space = line.lastIndexOf(' ');
        String name = brace < 0 ? line.substring(0, space) : line.substring(0, brace);
        Map<String, String> labels = new TreeMap<>();
        if (brace >= 0) {
          String inside = line.substring(brace + 1, line.lastIndexOf('}'));
          for (String pair : inside.split("\",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
              labels.put(pair.substring(0, eq), pair.substring(eq + 2).replaceAll("\"$", ""));
            }
          }
        }
        out.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
      }
      return out;
    }

    boolean has(String name) {
      return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    double sum(String name) {
      return samples.stream()
          .filter(s -> s.name().equals(name) && !Double.isNaN(s.value()))
          .mapToDouble(Sample::value)
          .sum();
    }

    Map<String, Double> byLabel(String name, String... labels) {
      Map<String, Double> out = new TreeMap<>();
      for (Sample s : samples) {
        if (s.name().equals(name)) {
          List<String> key = new ArrayList<>();
          for (String l : labels) {
            key.add(s.labels().getOrDefault(l, ""));
          }
          out.merge(String.join("/", key), s.value(), Double::sum);
        }
      }
      return out;
    }
  }
}
