package dev.hourglass.bench;

import dev.hourglass.sink.SinkConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * R_sink: the sink's rows per second, Kafka to PostgreSQL, against {@code COPY ... FROM STDIN} of
 * the same rows into the same table and indexes, run by run in the same JVM (see {@link
 * SinkBenchmark} for the method).
 */
@Command(
    name = "sink",
    mixinStandardHelpOptions = true,
    description =
        "R_sink: the sink's rows/s (Kafka to PostgreSQL) against COPY FROM STDIN of the same rows"
            + " into the same table.")
final class BenchSinkCommand implements Callable<Integer> {
  @ParentCommand BenchCommand bench;
  @Mixin ConfigOption config;
  @Mixin BenchOutput output;

  @Option(
      names = "--rows",
      defaultValue = "100000",
      description = "Rows per method and run (default ${DEFAULT-VALUE}).")
  int rows;

  @Option(
      names = "--runs",
      defaultValue = "3",
      description = "Runs after one warm-up run (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--compare-synchronous-commit",
      description =
          "Instead of R_sink: the sink alone with sink.synchronous.commit=on and =off,"
              + " alternating run by run (--runs rounds after a warm-up), PostgreSQL durable"
              + " (fsync on); prints rows/s and the mean time per batch of each and their ratio.")
  boolean compareSynchronousCommit;

  @Option(
      names = "--batch-size",
      defaultValue = "0",
      description =
          "The sink's sink.batch.size in --compare-synchronous-commit (0: its default); small"
              + " batches show the commit's latency.")
  int batchSize;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    Map<String, Object> machine = Machine.describe();
    Path dir = output.directory();
    if (compareSynchronousCommit) {
      return compareSynchronousCommit(out, machine, dir);
    }
    try (BenchCluster cluster = BenchCluster.start(bench.settings(config.file), out)) {
      SinkBenchmark.Result result =
          SinkBenchmark.run(
              new SinkBenchmark.Options(
                  cluster.bootstrapServers(),
                  cluster.jdbcUrl(),
                  cluster.user(),
                  cluster.password(),
                  rows,
                  runs,
                  "bench-sink."),
              out);
      BenchReport report =
          new BenchReport("sink", machine, "method", "median", "runs", "ratio to COPY", "goal");
      report.row(
          "COPY FROM STDIN (reference)",
          rate(result.medianCopyRowsPerSecond()),
          runs(result, SinkBenchmark.Run::copyRowsPerSecond),
          "",
          "");
      report.row(
          "sink, Kafka to PostgreSQL (R_sink)",
          rate(result.medianSinkRowsPerSecond()),
          runs(result, SinkBenchmark.Run::sinkRowsPerSecond),
          BenchFormat.ratio(result.rSink()),
          ">= 0.8");
      report.print(out);
      report.figure("rows", result.rows());
      report.figure("copy_rows_per_second", result.medianCopyRowsPerSecond());
      report.figure("sink_rows_per_second", result.medianSinkRowsPerSecond());
      report.figure("r_sink", result.rSink());
      report.figure("load_average_at_end", Machine.loadAverage());
      report.data("runs", result.runs());
      report.chart(chart(dir.resolve("sink-progress.png"), result));
      out.println("Results: " + report.writeJson(dir) + " and the chart beside it");
    }
    return 0;
  }

  /**
   * sink.synchronous.commit on against off on a durable PostgreSQL, alternating, in one run: the
   * ratio of the medians is what the setting changes, whatever else loads the machine.
   */
  private int compareSynchronousCommit(PrintStream out, Map<String, Object> machine, Path dir)
      throws Exception {
    out.println(
        "PostgreSQL durability: production: fsync=on, synchronous_commit=on, full_page_writes=on");
    Map<String, Map<String, String>> variants = new LinkedHashMap<>();
    for (String value : List.of("on", "off")) {
      Map<String, String> s = new LinkedHashMap<>();
      s.put(SinkConfig.SYNCHRONOUS_COMMIT, value);
      if (batchSize > 0) {
        s.put(SinkConfig.BATCH_SIZE, Integer.toString(batchSize));
        s.put(SinkConfig.MAX_POLL_RECORDS, Integer.toString(Math.min(batchSize, 1000)));
      }
      variants.put(SinkConfig.SYNCHRONOUS_COMMIT + "=" + value, s);
    }
    List<SinkBenchmark.SettingRun> results;
    try (BenchCluster cluster =
        BenchCluster.start(bench.settings(config.file), PostgresDurability.DURABLE, out)) {
      results =
          SinkBenchmark.compare(
              new SinkBenchmark.Options(
                  cluster.bootstrapServers(),
                  cluster.jdbcUrl(),
                  cluster.user(),
                  cluster.password(),
                  rows,
                  runs,
                  "bench-sync."),
              out,
              variants);
    }
    BenchReport report =
        new BenchReport(
            "sink-synchronous-commit",
            machine,
            "figure",
            "synchronous.commit=on",
            "synchronous.commit=off",
            "ratio (off / on)");
    Map<String, Object> medians = new LinkedHashMap<>();
    double onRate = median(results, "on", SinkBenchmark.SettingRun::rowsPerSecond);
    double offRate = median(results, "off", SinkBenchmark.SettingRun::rowsPerSecond);
    double onBatch = median(results, "on", SinkBenchmark.SettingRun::millisPerBatch);
    double offBatch = median(results, "off", SinkBenchmark.SettingRun::millisPerBatch);
    report.row(
        "sink rows/s, backlog of " + String.format(Locale.ROOT, "%,d", rows) + " rows (median)",
        rate(onRate),
        rate(offRate),
        BenchFormat.ratio(offRate / onRate));
    report.row(
        "mean time to write and commit a batch (median)",
        String.format(Locale.ROOT, "%.1f ms", onBatch),
        String.format(Locale.ROOT, "%.1f ms", offBatch),
        BenchFormat.ratio(offBatch / onBatch));
    report.print(out);
    medians.put("rows_per_second_on", onRate);
    medians.put("rows_per_second_off", offRate);
    medians.put("ms_per_batch_on", onBatch);
    medians.put("ms_per_batch_off", offBatch);
    report.figure("postgres_durability", "production: fsync=on, synchronous_commit=on");
    report.figure("rows", rows);
    report.figure("batch_size", batchSize > 0 ? batchSize : 5000);
    report.figure("medians", medians);
    report.figure("load_average_at_end", Machine.loadAverage());
    report.data("runs", results);
    out.println("Results: " + report.writeJson(dir));
    return 0;
  }

  private static double median(
      List<SinkBenchmark.SettingRun> runs,
      String value,
      java.util.function.ToDoubleFunction<SinkBenchmark.SettingRun> f) {
    return BenchFormat.median(
        runs.stream().filter(r -> r.variant().endsWith("=" + value)).mapToDouble(f).toArray());
  }

  /** Rows committed over time, run by run, beside the line COPY's rate would draw. */
  private static Path chart(Path png, SinkBenchmark.Result result) {
    List<BenchCharts.Line> lines = new ArrayList<>();
    int run = 1;
    for (SinkBenchmark.Run r : result.runs()) {
      double[] t = r.sinkSamples().stream().mapToDouble(s -> s.elapsedMillis() / 1000.0).toArray();
      double[] rows = r.sinkSamples().stream().mapToDouble(s -> s.rowsCommitted()).toArray();
      lines.add(new BenchCharts.Line("sink, run " + run++, t, rows));
    }
    double copy = result.medianCopyRowsPerSecond();
    double copyEnd = result.rows() / copy;
    lines.add(
        new BenchCharts.Line(
            "COPY FROM STDIN at its median rate",
            new double[] {0, copyEnd},
            new double[] {0, result.rows()}));
    return BenchCharts.overTime(
        png,
        String.format(Locale.ROOT, "Sink: rows committed over time (R_sink %.2f)", result.rSink()),
        "rows committed",
        lines,
        "",
        List.of());
  }

  private static String rate(double r) {
    return BenchFormat.perSecond(r, "rows");
  }

  private static String runs(
      SinkBenchmark.Result result, java.util.function.ToDoubleFunction<SinkBenchmark.Run> f) {
    return String.join(
        ", ",
        result.runs().stream()
            .map(r -> String.format(Locale.ROOT, "%,.0f", f.applyAsDouble(r)))
            .toList());
  }
}
