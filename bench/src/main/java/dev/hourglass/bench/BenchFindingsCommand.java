package dev.hourglass.bench;

import dev.hourglass.loadgen.LoadGenerator;
import dev.hourglass.loadgen.LoadSummary;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Where the time goes, before changing anything (issue 18, item 2): on a database loaded like the
 * grown benchmark and run with production durability ({@code fsync}, {@code synchronous_commit},
 * {@code full_page_writes} on), the pipeline at a fixed rate while this records the database's
 * statements ({@code pg_stat_statements}), the plans of every statement during a shorter window
 * ({@code auto_explain}: ANALYZE, BUFFERS, WAL, triggers), autovacuum's activity, and a JFR
 * recording of this JVM (processor, sink, broker, load generator); then the cost of each index of
 * the raw-event tables ({@link IndexCost}). Absolute figures depend on the machine's other load;
 * the shares and ratios are the findings.
 */
@Command(
    name = "findings",
    mixinStandardHelpOptions = true,
    description =
        "Where the time goes: per statement (pg_stat_statements, EXPLAIN ANALYZE BUFFERS WAL via"
            + " auto_explain), per index of the raw-event tables, autovacuum, and a JFR profile"
            + " of the processor and the sink, during a fixed-rate run on a grown database with"
            + " fsync on.")
final class BenchFindingsCommand implements Callable<Integer> {
  @ParentCommand BenchCommand bench;
  @Mixin ConfigOption config;
  @Mixin BenchOutput output;

  @Option(
      names = "--grown-orgs",
      defaultValue = "1000",
      description = "Organizations of the loaded data set (default ${DEFAULT-VALUE}).")
  int grownOrgs;

  @Option(
      names = "--grown-days",
      defaultValue = "30",
      description = "Days of hourly rollups per organization loaded (default ${DEFAULT-VALUE}).")
  int grownDays;

  @Option(
      names = "--grown-raw-events",
      defaultValue = "1000000",
      description = "Raw event rows loaded (default ${DEFAULT-VALUE}).")
  long grownRawEvents;

  @Option(
      names = "--rate",
      defaultValue = "2000",
      description = "Fixed rate of the load generator, events/s (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--duration",
      defaultValue = "PT2M",
      description = "How long the load generator sends (default 2 min).")
  Duration duration;

  @Option(
      names = "--explain-window",
      defaultValue = "PT10S",
      description =
          "How long, from the middle of the run, every statement's plan is logged (default 10 s).")
  Duration explainWindow;

  @Option(
      names = "--orgs",
      defaultValue = "20",
      description = "Organizations in the generated load (default ${DEFAULT-VALUE}).")
  int orgs;

  @Option(
      names = "--index-rows",
      defaultValue = "10000",
      description = "Rows each index-cost attempt writes (default ${DEFAULT-VALUE}).")
  int indexRows;

  @Option(
      names = "--index-rounds",
      defaultValue = "3",
      description = "Rounds of the index-cost variants; medians (default ${DEFAULT-VALUE}).")
  int indexRounds;

  private static final int TOP = 12;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    Map<String, Object> machine = Machine.describe();
    Path dir = Files.createDirectories(output.directory());
    Path logs = Files.createTempDirectory("hourglass-findings-log");
    Map<String, String> server = new LinkedHashMap<>(PostgresDurability.DURABLE);
    server.putAll(StatementFindings.serverSettings(logs));
    BenchReport report = new BenchReport("findings", machine, "finding", "value");
    try (BenchCluster cluster = BenchCluster.start(bench.settings(config.file), server, out);
        Connection admin = connect(cluster)) {
      QueryBenchmark.LoadResult loaded = cluster.grow(grownOrgs, grownDays, grownRawEvents, out);
      out.printf(
          Locale.ROOT,
          "Loaded %,d rollup rows and %,d raw events in %.0f s%n",
          loaded.rollupRows(),
          loaded.rawEvents(),
          loaded.took().toMillis() / 1000.0);
      Map<String, Double> cpu;
      List<JfrProfile.Component> profile;
      List<VacuumWatch.TableActivity> vacuum;
      List<StatementFindings.StatementRow> statements;
      LoadSummary summary;
      Map<String, Double> wal;
      try (RunningPipeline pipeline = RunningPipeline.start(cluster, "findings");
          VacuumWatch watch = VacuumWatch.start(connect(cluster));
          JfrProfile jfr = JfrProfile.start()) {
        StatementFindings.reset(admin);
        Map<String, Double> walBefore = StatementFindings.walIo(admin);
        LongAdder sent = new LongAdder();
        try (PipelineSampler sampler = pipeline.sampler(sent, Duration.ofSeconds(1));
            BackgroundLoop explain = explainHalfway(cluster)) {
          summary =
              new LoadGenerator(
                      cluster.cleanLoad(
                          pipeline.topics().prefix(),
                          0,
                          rate,
                          duration,
                          1,
                          orgs,
                          2,
                          Instant.now().truncatedTo(ChronoUnit.SECONDS)),
                      (e, t) -> sent.increment())
                  .run(out);
          pipeline.awaitVisible(sampler, summary.acknowledged());
          explain.check("the auto_explain window");
          cpu = sampler.cpuSeconds();
        }
        profile = jfr.stop(dir.resolve("findings.jfr"), TOP);
        vacuum = watch.finish();
        statements = StatementFindings.statements(admin);
        wal = StatementFindings.minus(StatementFindings.walIo(admin), walBefore);
      }
      StatementFindings.explainWindow(admin, false);
      List<StatementFindings.PlanSummary> plans =
          StatementFindings.nameTriggers(admin, StatementFindings.plans(logs));
      out.println("Index costs (" + indexRows + " rows per attempt, rolled back):");
      List<IndexCost.Variant> indexes = IndexCost.measure(admin, indexRows, indexRounds, out);

      long events = summary.acknowledged();
      report.row(
          "events sent at a fixed rate",
          String.format(Locale.ROOT, "%,d at %,.0f/s", events, rate));
      double pgSeconds = cpu.getOrDefault(CpuProfile.POSTGRES, 0.0);
      cpu.forEach(
          (k, v) ->
              report.row(
                  "CPU µs per event: " + k,
                  String.format(Locale.ROOT, "%.1f", v * 1e6 / Math.max(1, events))));
      report.row(
          "WAL I/O during the run (pg_stat_io)",
          String.format(
              Locale.ROOT,
              "%,.0f writes in %,.0f ms, %,.0f fsyncs in %,.0f ms (%.2f ms each)",
              wal.get("writes"),
              wal.get("write_ms"),
              wal.get("fsyncs"),
              wal.get("fsync_ms"),
              wal.get("fsync_ms") / Math.max(1, wal.get("fsyncs"))));
      for (StatementFindings.StatementRow s :
          statements.subList(0, Math.min(TOP, statements.size()))) {
        report.row(
            String.format(
                Locale.ROOT,
                "statement %.0f%%: %s",
                100 * s.share(),
                StatementFindings.cut(s.statement(), 90)),
            String.format(
                Locale.ROOT,
                "%,d calls, %.2f ms mean, %,d rows, %,d hit / %,d read / %,d dirtied blocks, %,d WAL bytes (%,d FPI)",
                s.calls(),
                s.meanMs(),
                s.rows(),
                s.sharedHit(),
                s.sharedRead(),
                s.sharedDirtied(),
                s.walBytes(),
                s.walFpi()));
      }
      report.print(out);
      printPlans(out, plans);
      printVacuum(out, vacuum);
      printProfile(out, profile);
      report.figure("events", events);
      report.figure("rate", rate);
      report.figure("postgres_cpu_seconds", pgSeconds);
      report.figure("cpu_seconds", cpu);
      report.figure("wal_io", wal);
      report.data("statements", statements);
      report.data("plans", plans);
      report.data("autovacuum", vacuum);
      report.data("jfr", profile);
      report.data("index_costs", indexes);
      out.println(
          "Results: " + report.writeJson(dir) + "; JFR recording: " + dir.resolve("findings.jfr"));
    }
    return 0;
  }

  /** Opens the auto_explain window halfway through the run, and closes it after its length. */
  private BackgroundLoop explainHalfway(BenchCluster cluster) {
    return BackgroundLoop.start(
        "bench-explain-window",
        loop -> {
          Thread.sleep(duration.toMillis() / 2);
          try (Connection c = connect(cluster)) {
            StatementFindings.explainWindow(c, true);
            Thread.sleep(explainWindow.toMillis());
            StatementFindings.explainWindow(c, false);
          } catch (SQLException e) {
            throw new IllegalStateException("cannot open or close the auto_explain window", e);
          }
        });
  }

  private static Connection connect(BenchCluster cluster) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", cluster.user());
    p.setProperty("password", cluster.password());
    p.setProperty("ApplicationName", "hourglass-bench-findings");
    return DriverManager.getConnection(cluster.jdbcUrl(), p);
  }

  private static void printPlans(PrintStream out, List<StatementFindings.PlanSummary> plans) {
    out.println();
    out.println(
        "Plans logged during the window (auto_explain ANALYZE BUFFERS WAL), by total time:");
    double all = plans.stream().mapToDouble(StatementFindings.PlanSummary::totalMs).sum();
    for (StatementFindings.PlanSummary p : plans.subList(0, Math.min(TOP, plans.size()))) {
      out.printf(
          Locale.ROOT,
          "%5.1f%% %,9.1f ms in %,d plans, %,d hit / %,d read / %,d dirtied, %,d WAL bytes (%,d FPI): %s%n",
          100 * p.totalMs() / all,
          p.totalMs(),
          p.plans(),
          p.sharedHit(),
          p.sharedRead(),
          p.sharedDirtied(),
          p.walBytes(),
          p.walFpi(),
          StatementFindings.cut(p.statement(), 100));
      JfrProfile.top(p.nodes(), p.totalMs(), 4)
          .forEach((k, v) -> out.printf(Locale.ROOT, "         %5.1f%% %s%n", 100 * v, k));
      p.triggers()
          .forEach(
              (k, v) ->
                  out.printf(
                      Locale.ROOT, "         %5.1f%% trigger %s%n", 100 * v / p.totalMs(), k));
    }
  }

  private static void printVacuum(PrintStream out, List<VacuumWatch.TableActivity> tables) {
    out.println();
    out.println("Tables during the run: inserted, updated (HOT), dead at end, autovacuum/analyze:");
    for (VacuumWatch.TableActivity t : tables) {
      out.printf(
          Locale.ROOT,
          "  %-40s %,9d ins %,9d upd (%,d HOT) %,9d dead; %d autovacuums %.0f ms, %d autoanalyzes %.0f ms; seen vacuuming %d s, analyzing %d s%n",
          t.table(),
          t.inserted(),
          t.updated(),
          t.hotUpdated(),
          t.deadAtEnd(),
          t.autovacuums(),
          t.autovacuumMs(),
          t.autoanalyzes(),
          t.autoanalyzeMs(),
          t.secondsSeenVacuuming(),
          t.secondsSeenAnalyzing());
    }
  }

  private static void printProfile(PrintStream out, List<JfrProfile.Component> profile) {
    out.println();
    out.println("JFR: share of the JVM's CPU samples and allocated bytes, and the heaviest sites:");
    for (JfrProfile.Component c : profile) {
      out.printf(
          Locale.ROOT,
          "  %s: CPU %.0f%%, allocation %.0f%% (%.0f MiB/s)%n",
          c.component(),
          100 * c.cpuShare(),
          100 * c.allocationShare(),
          c.allocationMibPerSecond());
      c.cpuTop().forEach((k, v) -> out.printf(Locale.ROOT, "      cpu   %5.1f%% %s%n", 100 * v, k));
      c.allocationTop()
          .forEach((k, v) -> out.printf(Locale.ROOT, "      alloc %5.1f%% %s%n", 100 * v, k));
    }
  }
}
