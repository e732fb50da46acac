package dev.hourglass.bench;

import dev.hourglass.contract.Topics;
import dev.hourglass.loadgen.LoadGenerator;
import dev.hourglass.loadgen.LoadGeneratorOptions;
import dev.hourglass.loadgen.LoadSummary;
import dev.hourglass.streams.ProcessorConfig;
import dev.hourglass.streams.StreamsProcessorApp;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * R_eos: the streams processor's throughput with exactly-once against at-least-once, on the same
 * input, alternating the order run by run. Each run is a fresh application id reading the whole
 * input from the start; its rate is timed from its first committed offset to the commit of the last
 * input record, so start-up and the first rebalance are left out.
 */
@Command(
    name = "eos",
    mixinStandardHelpOptions = true,
    description =
        "R_eos: streams processor throughput with exactly_once_v2 against at_least_once, same"
            + " input, same commit interval.")
final class BenchEosCommand implements Callable<Integer> {
  static final String AT_LEAST_ONCE = "at_least_once";
  static final String EXACTLY_ONCE = "exactly_once_v2";

  @ParentCommand BenchCommand bench;
  @Spec CommandSpec spec;
  @Mixin ConfigOption config;
  @Mixin BenchOutput output;
  @Mixin PostgresDurability durability;

  @Option(
      names = "--events",
      defaultValue = "300000",
      description = "Input events (default ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--runs",
      defaultValue = "3",
      description = "Runs of each guarantee after one warm-up run (default ${DEFAULT-VALUE}).")
  int runs;

  /** One timed run: its guarantee, rate, and committed input over time. */
  record Run(String guarantee, int run, double recordsPerSecond, List<double[]> progress) {}

  @Override
  public Integer call() throws Exception {
    if (events < 1000 || runs < 1) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value for --events or --runs: need --events >= 1000 and --runs >= 1");
    }
    PrintStream out = System.out;
    Map<String, Object> machine = Machine.describe();
    Path dir = output.directory();
    durability.announce(out);
    try (BenchCluster cluster =
        BenchCluster.start(bench.settings(config.file), durability.serverSettings(), out)) {
      String prefix = "bench-eos.";
      Topics topics = cluster.provision(prefix);
      LoadSummary filled =
          new LoadGenerator(
                  cluster.cleanLoad(
                      prefix, events, 0, null, 1, LoadGeneratorOptions.DEFAULT_ORGS, 2, null))
              .run(out);
      long input = filled.acknowledged();
      out.println("Warm-up run (" + EXACTLY_ONCE + ", not counted)");
      timed(cluster, topics, EXACTLY_ONCE, 0, input, out);
      List<Run> all = new ArrayList<>();
      for (int r = 1; r <= runs; r++) {
        List<String> order = new ArrayList<>(List.of(AT_LEAST_ONCE, EXACTLY_ONCE));
        if (r % 2 == 0) {
          // Alternate, so that warm-up and machine noise favour neither.
          Collections.reverse(order);
        }
        for (String guarantee : order) {
          all.add(timed(cluster, topics, guarantee, r, input, out));
        }
      }
      double alos = median(all, AT_LEAST_ONCE);
      double eos = median(all, EXACTLY_ONCE);
      // The interval both guarantees ran with: the user's setting or the default.
      long commit = cluster.processor(prefix, "bench-eos-settings", Map.of()).commitIntervalMs();

      BenchReport report =
          new BenchReport("eos", machine, "guarantee", "median", "runs", "ratio", "goal");
      durability.record(report);
      report.row(AT_LEAST_ONCE + " (reference)", rate(alos), runs(all, AT_LEAST_ONCE), "", "");
      report.row(
          EXACTLY_ONCE,
          rate(eos),
          runs(all, EXACTLY_ONCE),
          BenchFormat.ratio(eos / alos) + " (R_eos)",
          ">= 0.9");
      report.print(out);
      out.printf(
          Locale.ROOT,
          "%,d input events, streams.commit.interval.ms %d for both, one stream thread%n",
          input,
          commit);
      report.figure("input_events", input);
      report.figure("commit_interval_ms", commit);
      report.figure("at_least_once_records_per_second", alos);
      report.figure("exactly_once_v2_records_per_second", eos);
      report.figure("r_eos", eos / alos);
      report.figure("load_average_at_end", Machine.loadAverage());
      report.data("runs", all);
      List<BenchCharts.Line> lines = new ArrayList<>();
      for (Run run : all) {
        lines.add(
            new BenchCharts.Line(
                run.guarantee() + " run " + run.run(),
                run.progress().stream().mapToDouble(p -> p[0]).toArray(),
                run.progress().stream().mapToDouble(p -> p[1]).toArray()));
      }
      report.chart(
          BenchCharts.overTime(
              dir.resolve("eos-progress.png"),
              "Streams processor: input committed over time, exactly-once and at-least-once",
              "input records committed",
              lines,
              "",
              List.of()));
      out.println("Results: " + report.writeJson(dir) + " and the chart beside it");
    }
    return 0;
  }

  private static Run timed(
      BenchCluster cluster, Topics topics, String guarantee, int run, long input, PrintStream out)
      throws InterruptedException {
    String id = "bench-eos-" + guarantee.replace('_', '-') + "-" + run;
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put(ProcessorConfig.PROCESSING_GUARANTEE, guarantee);
    List<double[]> progress = new ArrayList<>();
    try (StreamsProcessorApp streams =
            StreamsProcessorApp.start(cluster.processor(topics.prefix(), id, overrides));
        GroupLag lag = new GroupLag(cluster.bootstrapServers(), id, BenchCluster.inputs(topics))) {
      long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
      long firstAt = 0;
      long firstCommitted = 0;
      while (System.nanoTime() < deadline) {
        long committed = lag.committed();
        long now = System.nanoTime();
        if (committed > 0 && firstAt == 0) {
          firstAt = now;
          firstCommitted = committed;
        }
        if (firstAt != 0) {
          progress.add(new double[] {(now - firstAt) / 1e9, committed});
        }
        if (committed >= input) {
          double seconds = (now - firstAt) / 1e9;
          double rate = (input - firstCommitted) / seconds;
          out.printf(
              Locale.ROOT, "%s run %d: %,.0f records/s (%.1f s)%n", guarantee, run, rate, seconds);
          return new Run(guarantee, run, rate, progress);
        }
        String state = streams.stateName();
        if (state.equals("ERROR") || state.startsWith("PENDING_")) {
          throw new IllegalStateException(
              guarantee + " run " + run + ": the processor is " + state);
        }
        Thread.sleep(100);
      }
      throw new IllegalStateException(
          guarantee + " run " + run + " did not consume its input within 15 minutes");
    }
  }

  private static double median(List<Run> runs, String guarantee) {
    return BenchFormat.median(
        runs.stream()
            .filter(r -> r.guarantee().equals(guarantee))
            .mapToDouble(Run::recordsPerSecond)
            .toArray());
  }

  private static String runs(List<Run> runs, String guarantee) {
    return String.join(
        ", ",
        runs.stream()
            .filter(r -> r.guarantee().equals(guarantee))
            .map(r -> String.format(Locale.ROOT, "%,.0f", r.recordsPerSecond()))
            .toList());
  }

  private static String rate(double r) {
    return BenchFormat.perSecond(r, "records");
  }
}
