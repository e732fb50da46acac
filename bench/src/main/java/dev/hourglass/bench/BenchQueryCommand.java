package dev.hourglass.bench;

import dev.hourglass.loadgen.LoadGenerator;
import dev.hourglass.loadgen.LoadGeneratorOptions;
import dev.hourglass.loadgen.LoadSummary;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Analyst query latency under ingest: loads the data set (days × organizations of hourly rollups
 * and raw events), measures the pipeline's capacity (unless {@code --ingest-rate} is given), then
 * runs the pipeline at half of it while {@link QueryBenchmark} measures every analyst function and
 * view at each client count.
 */
@Command(
    name = "query",
    mixinStandardHelpOptions = true,
    description =
        "p50/p95/p99 of the analyst functions and views at 1, 8 and 32 clients, on 30 days x"
            + " 1,000 organizations of rollups, while the pipeline ingests at half capacity;"
            + " with --pgbouncer, also through PgBouncer at 32 and 1,000 sessions.")
final class BenchQueryCommand implements Callable<Integer> {
  @ParentCommand BenchCommand bench;
  @Mixin ConfigOption config;
  @Mixin BenchOutput output;
  @Mixin PostgresDurability durability;

  @Option(
      names = "--orgs",
      defaultValue = "1000",
      description = "Organizations in the loaded data set (default ${DEFAULT-VALUE}).")
  int orgs;

  @Option(
      names = "--days",
      defaultValue = "30",
      description = "Days of hourly rollups per organization (default ${DEFAULT-VALUE}).")
  int days;

  @Option(
      names = "--raw-events",
      defaultValue = "1000000",
      description = "Raw event rows loaded beside the rollups (default ${DEFAULT-VALUE}).")
  long rawEvents;

  @Option(
      names = "--clients",
      split = ",",
      defaultValue = "1,8,32",
      description = "Concurrent client counts, measured in turn (default ${DEFAULT-VALUE}).")
  List<Integer> clients;

  @Option(
      names = "--measure",
      defaultValue = "PT5S",
      description = "How long each query is measured at each client count (default 5 s).")
  Duration measure;

  @Option(
      names = "--ingest-rate",
      defaultValue = "0",
      description =
          "Events/s the pipeline ingests meanwhile; 0 (default) measures the capacity first"
              + " and takes half of it.")
  double ingestRate;

  @Option(
      names = "--capacity-events",
      defaultValue = "100000",
      description = "Events of the full-speed run that measures capacity (default 100000).")
  long capacityEvents;

  @Option(
      names = "--pgbouncer",
      description =
          "Also run every query through PgBouncer (Debian's pgbouncer, started on a free loopback"
              + " port) in transaction mode, the tenant set per transaction, at each --sessions"
              + " count, during the same ingest.")
  boolean pgbouncer;

  @Option(
      names = "--sessions",
      split = ",",
      defaultValue = "32,1000",
      description =
          "Concurrent analyst sessions through PgBouncer, measured in turn (default"
              + " ${DEFAULT-VALUE}); with --pgbouncer.")
  List<Integer> sessions;

  @Option(
      names = "--pool-size",
      defaultValue = "20",
      description =
          "PostgreSQL connections PgBouncer shares among the sessions (default ${DEFAULT-VALUE});"
              + " with --pgbouncer.")
  int poolSize;

  @Option(
      names = "--calls-per-session",
      defaultValue = "0",
      description =
          "Exactly this many timed calls per session and query through PgBouncer instead of"
              + " --measure, without warm-up (quick checks); 0 (default) measures for --measure.")
  int callsPerSession;

  @Option(
      names = "--think-time",
      defaultValue = "PT10S",
      description =
          "Mean pause of each PgBouncer session before each call, exponentially distributed"
              + " (default ${DEFAULT-VALUE}: 1,000 sessions offer 100 calls/s); PT0S for the"
              + " closed loop (each session calls again as soon as served); with --pgbouncer.")
  Duration thinkTime;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    Map<String, Object> machine = Machine.describe();
    Path dir = output.directory();
    durability.announce(out);
    try (BenchCluster cluster =
        BenchCluster.start(bench.settings(config.file), durability.serverSettings(), out)) {
      QueryBenchmark.Options options =
          new QueryBenchmark.Options(
              cluster.jdbcUrl(),
              cluster.user(),
              cluster.password(),
              orgs,
              days,
              rawEvents,
              measure,
              clients);
      QueryBenchmark.LoadResult loaded = QueryBenchmark.load(options, out);
      out.printf(
          Locale.ROOT,
          "Loaded %,d rollup rows and %,d raw events in %.0f s%n",
          loaded.rollupRows(),
          loaded.rawEvents(),
          loaded.took().toMillis() / 1000.0);
      double capacity = ingestRate > 0 ? 0 : capacity(cluster, out);
      double rate = ingestRate > 0 ? ingestRate : Math.max(100, Math.round(capacity / 2));
      out.printf(Locale.ROOT, "Ingesting %,.0f events/s while the queries run%n", rate);

      QueryBenchmark.Result result;
      PooledQueryBenchmark.Outcome pooled = null;
      LongAdder sent = new LongAdder();
      double ingested;
      double seconds;
      List<PipelineSampler.Sample> ingestSamples;
      try (RunningPipeline pipeline = RunningPipeline.start(cluster, "query-ingest");
          PipelineSampler sampler = pipeline.sampler(sent, Duration.ofSeconds(1))) {
        LoadGenerator generator =
            new LoadGenerator(
                cluster.cleanLoad(
                    pipeline.topics().prefix(),
                    0,
                    rate,
                    Duration.ofMinutes(30),
                    2,
                    LoadGeneratorOptions.DEFAULT_ORGS,
                    2,
                    null),
                (e, t) -> sent.increment());
        AtomicReference<LoadSummary> summary = new AtomicReference<>();
        Thread ingest =
            new Thread(
                () -> summary.set(generator.run(new PrintStream(OutputStream.nullOutputStream()))),
                "bench-ingest");
        long started = System.nanoTime();
        ingest.start();
        try {
          result = QueryBenchmark.run(options, out);
          if (pgbouncer) {
            pooled =
                PooledQueryBenchmark.run(
                    new PooledQueryBenchmark.Options(
                        options, sessions, poolSize, callsPerSession, thinkTime),
                    out);
          }
        } finally {
          generator.stop();
          ingest.join();
        }
        seconds = (System.nanoTime() - started) / 1e9;
        pipeline.checkRunning();
        ingested = sent.sum();
        ingestSamples = sampler.samples();
      }
      BenchReport report =
          new BenchReport(
              "query",
              machine,
              "query",
              "clients",
              "calls",
              "offered",
              "achieved",
              "p50",
              "p95",
              "p99",
              "max",
              "goal");
      durability.record(report);
      for (QueryBenchmark.QueryStats q : result.stats()) {
        report.row(
            q.query(),
            Integer.toString(q.clients()),
            String.format(Locale.ROOT, "%,d", q.calls()),
            "closed loop",
            perSecond(q.calls() / (measure.toNanos() / 1e9)),
            ms(q.p50Ms()),
            ms(q.p95Ms()),
            ms(q.p99Ms()),
            ms(q.maxMs()),
            q.clients() == 32 && !q.query().startsWith("reference") ? "p95 < 10 ms" : "");
      }
      if (pooled != null) {
        for (int i = 0; i < pooled.result().stats().size(); i++) {
          QueryBenchmark.QueryStats q = pooled.result().stats().get(i);
          PooledQueryBenchmark.Rate r = pooled.rates().get(i);
          report.row(
              "pgbouncer: " + q.query(),
              Integer.toString(q.clients()),
              String.format(Locale.ROOT, "%,d", q.calls()),
              r.offeredPerSecond() < 0 ? "closed loop" : perSecond(r.offeredPerSecond()),
              perSecond(r.achievedPerSecond()),
              ms(q.p50Ms()),
              ms(q.p95Ms()),
              ms(q.p99Ms()),
              ms(q.maxMs()),
              pooledGoal(q));
        }
      }
      report.print(out);
      if (pooled != null) {
        out.printf(
            Locale.ROOT,
            "Through PgBouncer (pool of %d): %,d calls, each timed as one transaction (tenant,"
                + " query, commit); PostgreSQL ran %,d of the pooled login's transactions on %d"
                + " connections%n",
            poolSize,
            pooled.calls(),
            pooled.serverTransactions(),
            pooled.serverConnections());
        out.println(
            "PgBouncer sessions: "
                + PooledQueryBenchmark.thinkTime(
                    new PooledQueryBenchmark.Options(
                        options, sessions, poolSize, callsPerSession, thinkTime),
                    sessions.stream().mapToInt(Integer::intValue).max().orElse(0)));
        report.figure("pgbouncer_pool_size", poolSize);
        report.figure("pgbouncer_think_time_seconds", thinkTime.toNanos() / 1e9);
        report.data("pgbouncer_rates", pooled.rates());
        report.figure("pgbouncer_calls", pooled.calls());
        report.figure("pgbouncer_server_transactions", pooled.serverTransactions());
        report.figure("pgbouncer_server_connections", pooled.serverConnections());
        report.data("pgbouncer_stats", pooled.result().stats());
      }
      out.printf(
          Locale.ROOT,
          "Meanwhile the pipeline ingested %,.0f events in %.0f s (%,.0f events/s; capacity %s)%n",
          ingested,
          seconds,
          ingested / seconds,
          capacity > 0 ? BenchFormat.perSecond(capacity, "events") : "not measured");
      report.figure("organizations", orgs);
      report.figure("days", days);
      report.figure("rollup_rows_loaded", loaded.rollupRows());
      report.figure("raw_events_loaded", loaded.rawEvents());
      report.figure("capacity_events_per_second", capacity);
      report.figure("ingest_events_per_second_target", rate);
      report.figure("ingest_events_per_second_achieved", ingested / seconds);
      report.figure("load_average_at_end", Machine.loadAverage());
      report.data("stats", result.stats());
      report.data("ingest_samples", ingestSamples);
      for (int n : clients) {
        report.chart(chart(dir.resolve("query-latency-" + n + "-clients.png"), result, n, rate));
      }
      out.println("Results: " + report.writeJson(dir) + " and the charts beside it");
    }
    return 0;
  }

  /** The pipeline's capacity: a full-speed run until PostgreSQL counts every event. */
  private double capacity(BenchCluster cluster, PrintStream out) throws InterruptedException {
    LongAdder sent = new LongAdder();
    try (RunningPipeline pipeline = RunningPipeline.start(cluster, "query-capacity");
        PipelineSampler sampler = pipeline.sampler(sent, Duration.ofMillis(250))) {
      long started = System.nanoTime();
      LoadSummary summary =
          new LoadGenerator(
                  cluster.cleanLoad(
                      pipeline.topics().prefix(),
                      capacityEvents,
                      0,
                      null,
                      1,
                      LoadGeneratorOptions.DEFAULT_ORGS,
                      2,
                      null),
                  (e, t) -> sent.increment())
              .run(out);
      double visibleAt = pipeline.awaitVisible(sampler, summary.acknowledged());
      double rate = summary.acknowledged() / (visibleAt - (started - sampler.startedNanos()) / 1e9);
      out.printf(Locale.ROOT, "Pipeline capacity: %,.0f events/s%n", rate);
      return rate;
    }
  }

  /** Latency distributions of every query at {@code clients} clients. */
  private static Path chart(Path png, QueryBenchmark.Result result, int clients, double rate) {
    List<BenchCharts.Distribution> lines = new ArrayList<>();
    for (QueryBenchmark.QueryStats q : result.stats()) {
      if (q.clients() == clients) {
        Histogram micros = new Histogram(3_600_000_000L, 3);
        for (QueryBenchmark.Point p : q.distribution()) {
          micros.recordValueWithCount(Math.max(1, Math.round(p.latencyMs() * 1000)), p.count());
        }
        lines.add(new BenchCharts.Distribution(q.query(), micros, 0.001));
      }
    }
    return BenchCharts.latencyDistribution(
        png,
        String.format(
            Locale.ROOT,
            "Analyst queries, %d client%s, during ingest at %,.0f events/s",
            clients,
            clients == 1 ? "" : "s",
            rate),
        lines);
  }

  /** The design documents' targets: 1,000 sessions under 100 ms, 32 under 10 ms. */
  private static String pooledGoal(QueryBenchmark.QueryStats q) {
    if (q.query().startsWith("reference")) {
      return "";
    }
    return q.clients() >= 1000 ? "p95 < 100 ms" : q.clients() == 32 ? "p95 < 10 ms" : "";
  }

  private static String perSecond(double value) {
    return String.format(Locale.ROOT, "%.1f/s", value);
  }

  private static String ms(double value) {
    return String.format(Locale.ROOT, "%.2f ms", value);
  }
}
