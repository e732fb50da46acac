package dev.hourglass.bench;

import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.loadgen.LoadGenerator;
import dev.hourglass.loadgen.LoadGeneratorOptions;
import dev.hourglass.loadgen.LoadSummary;
import dev.hourglass.loadgen.SendObserver;
import dev.hourglass.producer.PublisherConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * R_pipeline, R_fresh and send-to-rollup latency, on embedded Kafka and PostgreSQL. Per run:
 * Kafka's ProducerPerformance (the reference), the load generator alone, and the whole pipeline at
 * full speed until every event is counted by a rollup row in PostgreSQL. Then the freshness search:
 * fresh pipelines at fixed rates, starting at a fraction of the capacity just measured and halving
 * the interval between the highest rate that stayed fresh and the lowest that did not, each timing
 * task events from send to the rollup row that reflects them, beside the Kafka hop alone. R_fresh
 * is the highest fixed rate whose send-to-rollup p99 stayed under the target for the whole run,
 * over ProducerPerformance.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description =
        "R_pipeline (full pipeline until rollups are visible in PostgreSQL, against Kafka's"
            + " ProducerPerformance) and send-to-rollup latency at a fixed rate.")
final class BenchPipelineCommand implements Callable<Integer> {
  @ParentCommand BenchCommand bench;
  @Spec CommandSpec spec;
  @Mixin ConfigOption config;
  @Mixin BenchOutput output;
  @Mixin PostgresDurability durability;

  @Option(
      names = "--events",
      defaultValue = "300000",
      description = "Events per throughput run (default ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--runs",
      defaultValue = "3",
      description = "Throughput runs after one smaller warm-up run (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--orgs",
      defaultValue = "20",
      description = "Organizations in the generated load (default ${DEFAULT-VALUE}).")
  int orgs;

  @Option(
      names = "--concurrency",
      defaultValue = "2",
      description = "Sending threads of the load generator (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--rate-fraction",
      defaultValue = "0.5",
      description =
          "First rate of the freshness search, as a fraction of the measured capacity (default"
              + " 0.5).")
  double rateFraction;

  @Option(
      names = "--fresh-rate",
      defaultValue = "0",
      description =
          "First rate of the freshness search in events/s, instead of --rate-fraction (0: use"
              + " the fraction), so that two settings can be compared at the same rates.")
  double freshRate;

  @Option(
      names = "--latency-duration",
      defaultValue = "PT5M",
      description = "How long each fixed-rate run of the freshness search sends (default 5 min).")
  Duration latencyDuration;

  @Option(
      names = "--fresh-steps",
      defaultValue = "4",
      description =
          "Fixed-rate runs in the freshness search (default ${DEFAULT-VALUE}; 1 measures only the"
              + " first rate).")
  int freshSteps;

  @Option(
      names = "--fresh-p99",
      defaultValue = "PT2S",
      description = "Send-to-rollup p99 a fresh rate must stay under (default 2 s).")
  Duration freshP99;

  @Option(
      names = "--grown-days",
      defaultValue = "90",
      description =
          "Then load this many days of hourly rollups (0: skip) and measure the capacity again"
              + " (default ${DEFAULT-VALUE}).")
  int grownDays;

  @Option(
      names = "--grown-orgs",
      defaultValue = "1000",
      description = "Organizations in the loaded rollups (default ${DEFAULT-VALUE}).")
  int grownOrgs;

  @Option(
      names = "--grown-raw-events",
      defaultValue = "10000000",
      description = "Raw event rows loaded beside them (default ${DEFAULT-VALUE}).")
  long grownRawEvents;

  @Option(
      names = "--compare-sink-paths",
      paramLabel = "RATE",
      defaultValue = "0",
      description =
          "Instead of the figures above: fixed-rate latency runs at RATE events/s with"
              + " PostgreSQL durable (fsync on), alternating one sink (sink.reads=all) and the"
              + " two paths apart (sink.reads=derived and events, one group), --runs of each;"
              + " prints both and their ratio.")
  double compareSinkPaths;

  @Option(
      names = "--two-sink-paths",
      description =
          "Run every pipeline of the full-speed runs, the freshness search and the grown runs with"
              + " the rollups, alerts and dead letters on a path of their own (sink.reads=derived"
              + " and events, one group) instead of one sink reading everything.")
  boolean twoSinkPaths;

  @Option(
      names = "--warm-up",
      defaultValue = "PT10S",
      description = "Latency of events sent in the first part of that run is not recorded.")
  Duration warmUp;

  /** One throughput run's rates. */
  record Run(
      double producerPerformance,
      double publisher,
      double pipeline,
      double secondsToVisible,
      long events,
      Map<String, Double> cpuSeconds) {}

  private int seed = 1;
  private PipelineSampler.Sample peakMemory;

  @Override
  public Integer call() throws Exception {
    if (events < 1000
        || runs < 1
        || !(rateFraction > 0 && rateFraction <= 1)
        || freshSteps < 1
        || freshRate < 0
        || grownDays < 0) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value for --events, --runs, --rate-fraction, --fresh-rate or --fresh-steps:"
              + " need --events >= 1000, --runs >= 1, 0 < --rate-fraction <= 1, --fresh-rate >= 0"
              + " and --fresh-steps >= 1");
    }
    PrintStream out = System.out;
    Map<String, Object> machine = Machine.describe();
    Path dir = output.directory();
    if (compareSinkPaths > 0) {
      return compareSinkPaths(out, machine, dir);
    }
    durability.announce(out);
    try (BenchCluster cluster =
        BenchCluster.start(bench.settings(config.file), durability.serverSettings(), out)) {
      PublisherConfig publisher = PublisherConfig.defaults(cluster.bootstrapServers());
      out.println("Warm-up run (" + events / 5 + " events, not counted)");
      throughputRun(cluster, publisher, events / 5, "warm", null, out);
      List<Run> all = new ArrayList<>();
      List<PipelineSampler.Sample> chartSamples = null;
      for (int r = 1; r <= runs; r++) {
        List<List<PipelineSampler.Sample>> samples = new ArrayList<>();
        all.add(throughputRun(cluster, publisher, events, "run" + r, samples, out));
        if (r == (runs + 1) / 2) {
          chartSamples = samples.get(0);
        }
      }
      double reference =
          BenchFormat.median(all.stream().mapToDouble(Run::producerPerformance).toArray());
      double alone = BenchFormat.median(all.stream().mapToDouble(Run::publisher).toArray());
      double pipeline = BenchFormat.median(all.stream().mapToDouble(Run::pipeline).toArray());

      FreshSearch search = freshSearch(cluster, pipeline, out);
      Grown grown = grownDays == 0 ? null : grownRuns(cluster, publisher, out);
      Latency latency = search.reported();
      double rate = search.reportedRate();

      BenchReport report =
          new BenchReport(
              "pipeline", machine, "figure", "value", "reference (same run)", "ratio", "goal");
      durability.record(report);
      report.row("sink", sinkDescription(), "", "", "");
      report.row(
          "Kafka ProducerPerformance (reference)",
          BenchFormat.perSecond(reference, "records"),
          "",
          "",
          "");
      report.row(
          "load generator alone (EventPublisher)",
          BenchFormat.perSecond(alone, "events"),
          BenchFormat.perSecond(reference, "records"),
          BenchFormat.ratio(alone / reference),
          ">= 0.8");
      report.row(
          "R_pipeline: full pipeline until rollups visible in PostgreSQL",
          BenchFormat.perSecond(pipeline, "events"),
          BenchFormat.perSecond(reference, "records"),
          BenchFormat.ratio(pipeline / reference),
          ">= 0.25");
      report.row(
          "R_fresh: highest fixed rate with send-to-rollup p99 < "
              + trim(freshP99.toMillis() / 1000.0)
              + " s for "
              + latencyDuration.toSeconds()
              + " s",
          search.freshRate() > 0
              ? BenchFormat.perSecond(search.freshRate(), "events")
              : "below " + BenchFormat.perSecond(search.lowestProbe(), "events"),
          BenchFormat.perSecond(reference, "records"),
          BenchFormat.ratio(search.freshRate() / reference),
          ">= 0.12");
      addLatencyRows(report, latency, rate);
      if (grown != null) {
        report.row(
            "capacity on a grown database (" + grown.description() + ") / on an empty one",
            BenchFormat.perSecond(grown.pipeline(), "events"),
            BenchFormat.perSecond(pipeline, "events"),
            BenchFormat.ratio(grown.pipeline() / pipeline),
            ">= 0.8");
        report.figure("grown_pipeline_events_per_second", grown.pipeline());
        report.figure("grown_capacity_ratio", grown.pipeline() / pipeline);
        report.figure("grown_load_seconds", grown.loadSeconds());
        report.data("grown_runs", grown.runs());
      }
      PipelineSampler.Sample peak = heavier(peakMemory, latency.peakMemory());
      if (peak != null) {
        report.row(
            "peak memory (PSS): JVM + PostgreSQL, whole pipeline",
            BenchFormat.mib(peak.memory().totalPssKib()),
            "JVM "
                + BenchFormat.mib(peak.memory().jvmPssKib())
                + ", PG "
                + BenchFormat.mib(peak.memory().childrenPssKib()),
            "",
            "< 1.5 GB");
      }
      report.print(out);
      Run middle = medianRun(all);
      printProfile(out, middle);
      report.figure("cpu_seconds_median_run", middle.cpuSeconds());
      report.figure("sink_paths", twoSinkPaths ? "two" : "one");
      report.figure("producer_performance_records_per_second", reference);
      report.figure("publisher_events_per_second", alone);
      report.figure("pipeline_events_per_second", pipeline);
      report.figure("r_publisher", alone / reference);
      report.figure("r_pipeline", pipeline / reference);
      report.figure("fresh_events_per_second", search.freshRate());
      report.figure("r_fresh", search.freshRate() / reference);
      report.data("fresh_search", search.probes());
      report.figure("latency_rate_events_per_second", rate);
      report.figure("send_to_rollup_ms", percentiles(latency.pipeline()));
      report.figure("kafka_hop_ms", percentiles(latency.hop()));
      report.figure("latency_events_unresolved", latency.unresolved());
      if (peak != null) {
        report.figure("peak_pss_mib", peak.memory().totalPssKib() / 1024.0);
        report.figure("peak_rss_sum_mib", peak.memory().rssSumKib() / 1024.0);
      }
      report.figure("load_average_at_end", Machine.loadAverage());
      report.data("runs", all);
      report.data("throughput_samples", chartSamples);
      report.data("latency_samples", latency.samples());
      if (chartSamples != null) {
        report.chart(throughputChart(dir.resolve("pipeline-throughput.png"), chartSamples));
      }
      report.chart(
          BenchCharts.latencyDistribution(
              dir.resolve("pipeline-latency.png"),
              String.format(
                  Locale.ROOT, "Send to rollup row in PostgreSQL at %,.0f events/s", rate),
              List.of(
                  new BenchCharts.Distribution("send to rollup row", latency.pipeline(), 0.001),
                  new BenchCharts.Distribution("Kafka hop alone", latency.hop(), 0.001))));
      out.println("Results: " + report.writeJson(dir) + " and the charts beside it");
    }
    return 0;
  }

  private Run throughputRun(
      BenchCluster cluster,
      PublisherConfig publisher,
      long n,
      String name,
      List<List<PipelineSampler.Sample>> keep,
      PrintStream out)
      throws Exception {
    // 1. The publisher alone: its rate, and the average record size for the reference.
    Topics alone = cluster.provision("bench-" + name + "-alone.");
    RecordSizes sizes = new RecordSizes();
    LoadSummary aloneSummary =
        new LoadGenerator(generatorOptions(cluster, alone, n, 0, null), sizes).run(out);
    double publisherRate = aloneSummary.eventsPerSecond();
    // 2. The reference: ProducerPerformance with that record size.
    String referenceTopic =
        cluster.provision("bench-" + name + "-reference.").events(Family.TASK).name();
    double reference =
        ProducerReference.run(
            cluster.bootstrapServers(), referenceTopic, n, sizes.average(), publisher);
    out.printf(
        Locale.ROOT,
        "%s: ProducerPerformance %,.0f records/s (%d bytes each, topic %s); load generator %,.0f"
            + " events/s%n",
        name,
        reference,
        sizes.average(),
        referenceTopic,
        publisherRate);
    // 3. The whole pipeline, from the first send until PostgreSQL counts every event.
    LongAdder sent = new LongAdder();
    try (RunningPipeline pipeline = RunningPipeline.start(cluster, name, sinks(twoSinkPaths));
        PipelineSampler sampler = pipeline.sampler(sent, Duration.ofMillis(250))) {
      long started = System.nanoTime();
      LoadSummary summary =
          new LoadGenerator(
                  generatorOptions(cluster, pipeline.topics(), n, 0, null),
                  (e, t) -> sent.increment())
              .run(out);
      double visibleAt = pipeline.awaitVisible(sampler, summary.acknowledged());
      Map<String, Double> cpu = sampler.cpuSeconds();
      double seconds = visibleAt - (started - sampler.startedNanos()) / 1e9;
      peakMemory = heavier(peakMemory, sampler.peakMemory());
      double rate = summary.acknowledged() / seconds;
      out.printf(
          Locale.ROOT,
          "%s: pipeline %,.0f events/s (%,d events visible as rollups after %.1f s)%n",
          name,
          rate,
          summary.acknowledged(),
          seconds);
      if (keep != null) {
        keep.add(sampler.samples());
      }
      return new Run(reference, publisherRate, rate, seconds, summary.acknowledged(), cpu);
    }
  }

  /** What the fixed-rate run measured. */
  record Latency(
      Histogram pipeline,
      Histogram hop,
      long unresolved,
      List<PipelineSampler.Sample> samples,
      PipelineSampler.Sample peakMemory) {}

  /** The full-speed runs again, on a database that holds a grown data set. */
  record Grown(String description, double loadSeconds, List<Run> runs, double pipeline) {}

  /**
   * Loads {@code --grown-days} × {@code --grown-orgs} of rollups and {@code --grown-raw-events} raw
   * rows with the query benchmark's set-based loader, then repeats the full-speed runs: how the
   * capacity holds up as the tables grow.
   */
  private Grown grownRuns(BenchCluster cluster, PublisherConfig publisher, PrintStream out)
      throws Exception {
    QueryBenchmark.LoadResult loaded = cluster.grow(grownOrgs, grownDays, grownRawEvents, out);
    String description =
        String.format(
            Locale.ROOT,
            "%d days × %,d organizations, %,d raw events",
            grownDays,
            grownOrgs,
            grownRawEvents);
    out.printf(
        Locale.ROOT,
        "Grown database: %s (%,d rollup rows) loaded in %.0f s%n",
        description,
        loaded.rollupRows(),
        loaded.took().toMillis() / 1000.0);
    List<Run> all = new ArrayList<>();
    for (int r = 1; r <= runs; r++) {
      all.add(throughputRun(cluster, publisher, events, "grown" + r, null, out));
    }
    double pipeline = BenchFormat.median(all.stream().mapToDouble(Run::pipeline).toArray());
    return new Grown(description, loaded.took().toMillis() / 1000.0, all, pipeline);
  }

  /** One fixed-rate run of the freshness search. */
  record Probe(double rate, double p50Ms, double p99Ms, long unresolved, boolean fresh) {}

  /** The search's runs, the fresh rate found (0 when none was), and the run to report. */
  record FreshSearch(List<Probe> probes, double freshRate, Latency fresh, Latency lowest) {
    Latency reported() {
      return fresh != null ? fresh : lowest;
    }

    double reportedRate() {
      return fresh != null ? freshRate : lowestProbe();
    }

    double lowestProbe() {
      return probes.stream().mapToDouble(Probe::rate).min().orElse(0);
    }
  }

  /**
   * Bisects the fixed rate between the highest that stayed fresh (at first none) and the lowest
   * that did not (at first the full-speed capacity), starting at {@code --fresh-rate} or else at
   * {@code --rate-fraction} of the capacity.
   */
  private FreshSearch freshSearch(BenchCluster cluster, double capacity, PrintStream out)
      throws Exception {
    double fresh = 0;
    double stale = capacity;
    double rate = freshRate > 0 ? freshRate : Math.max(100, Math.round(capacity * rateFraction));
    List<Probe> probes = new ArrayList<>();
    Latency freshLatency = null;
    Latency lowest = null;
    double lowestRate = Double.MAX_VALUE;
    for (int step = 1; step <= freshSteps; step++) {
      out.printf(
          Locale.ROOT,
          "Freshness run %d/%d: %.0f events/s for %s%n",
          step,
          freshSteps,
          rate,
          latencyDuration);
      Latency latency = latencyRun(cluster, rate, "fresh" + step, twoSinkPaths, out);
      double p99 = latency.pipeline().getValueAtPercentile(99) / 1000.0;
      boolean ok =
          latency.unresolved() == 0
              && latency.pipeline().getTotalCount() > 0
              && p99 < freshP99.toMillis();
      probes.add(
          new Probe(
              rate,
              latency.pipeline().getValueAtPercentile(50) / 1000.0,
              p99,
              latency.unresolved(),
              ok));
      out.printf(
          Locale.ROOT,
          "  p99 %.0f ms, %d unresolved: %s%n",
          p99,
          latency.unresolved(),
          ok ? "fresh" : "not fresh");
      if (ok && rate > fresh) {
        fresh = rate;
        freshLatency = latency;
      } else if (!ok) {
        stale = Math.min(stale, rate);
      }
      if (rate < lowestRate) {
        lowestRate = rate;
        lowest = latency;
      }
      rate = Math.max(100, Math.round((fresh + stale) / 2));
    }
    return new FreshSearch(probes, fresh, freshLatency, lowest);
  }

  /**
   * Send-to-rollup latency at {@code --compare-sink-paths} events/s with one sink and with the two
   * paths apart, alternately (the first of each round alternating too), in one run.
   */
  private int compareSinkPaths(PrintStream out, Map<String, Object> machine, Path dir)
      throws Exception {
    durability.announce(out);
    Map<Boolean, List<Latency>> byVariant = new LinkedHashMap<>();
    byVariant.put(false, new ArrayList<>());
    byVariant.put(true, new ArrayList<>());
    try (BenchCluster cluster =
        BenchCluster.start(bench.settings(config.file), durability.serverSettings(), out)) {
      for (int r = 1; r <= runs; r++) {
        for (boolean twoPaths : r % 2 == 1 ? List.of(false, true) : List.of(true, false)) {
          out.println("Run " + r + ": " + (twoPaths ? "two sink paths" : "one sink"));
          byVariant
              .get(twoPaths)
              .add(
                  latencyRun(
                      cluster, compareSinkPaths, (twoPaths ? "paths" : "one") + r, twoPaths, out));
        }
      }
    }
    BenchReport report =
        new BenchReport(
            "sink-paths", machine, "figure", "one sink", "two paths apart", "ratio (two / one)");
    durability.record(report);
    Map<String, Object> medians = new LinkedHashMap<>();
    for (double p : new double[] {50, 99, 99.9}) {
      double one = medianPercentile(byVariant.get(false), p);
      double two = medianPercentile(byVariant.get(true), p);
      report.row(
          String.format(
              Locale.ROOT,
              "send to rollup row, p%s at %,.0f events/s (median of %d runs)",
              trim(p),
              compareSinkPaths,
              runs),
          BenchFormat.ms((long) one),
          BenchFormat.ms((long) two),
          BenchFormat.ratio(two / one));
      medians.put("p" + trim(p) + "_one_ms", one / 1000);
      medians.put("p" + trim(p) + "_two_ms", two / 1000);
    }
    report.print(out);
    report.figure("rate_events_per_second", compareSinkPaths);
    report.figure("medians", medians);
    List<Map<String, Object>> all = new ArrayList<>();
    byVariant.forEach(
        (twoPaths, runsOf) ->
            runsOf.forEach(
                l -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("two_paths", twoPaths);
                  m.put("send_to_rollup_ms", percentiles(l.pipeline()));
                  m.put("kafka_hop_ms", percentiles(l.hop()));
                  m.put("unresolved", l.unresolved());
                  all.add(m);
                }));
    report.data("runs", all);
    out.println("Results: " + report.writeJson(dir));
    return 0;
  }

  private static RunningPipeline.Sinks sinks(boolean twoPaths) {
    return twoPaths ? RunningPipeline.Sinks.TWO_PATHS : RunningPipeline.Sinks.ONE;
  }

  private String sinkDescription() {
    return twoSinkPaths
        ? "two paths apart (sink.reads=derived and events)"
        : "one sink (sink.reads=all)";
  }

  private static double medianPercentile(List<Latency> runs, double p) {
    return BenchFormat.median(
        runs.stream().mapToDouble(l -> l.pipeline().getValueAtPercentile(p)).toArray());
  }

  private Latency latencyRun(
      BenchCluster cluster, double rate, String name, boolean twoPaths, PrintStream out)
      throws Exception {
    LongAdder sent = new LongAdder();
    try (RunningPipeline pipeline = RunningPipeline.start(cluster, name, sinks(twoPaths));
        RollupWatch polling =
            RollupWatch.connect(cluster.jdbcUrl(), cluster.user(), cluster.password())) {
      Topics topics = pipeline.topics();
      Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      LoadGeneratorOptions options = generatorOptions(cluster, topics, 0, rate, end);
      Instant firstWindow =
          end.minus(options.eventSpan()).truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
      long measureFrom = System.nanoTime() + warmUp.toNanos();
      long measureFromMillis = System.currentTimeMillis() + warmUp.toMillis();
      LatencyTracker tracker = new LatencyTracker(measureFrom);
      SendObserver observer =
          (event, nanos) -> {
            sent.increment();
            if (event instanceof TaskEvent t) {
              tracker.sending(t, nanos);
            }
          };
      try (KafkaHop hop =
              KafkaHop.start(
                  cluster.bootstrapServers(), BenchCluster.inputs(topics), measureFromMillis);
          PipelineSampler sampler = pipeline.sampler(sent, Duration.ofSeconds(1));
          BackgroundLoop poller = pollRows(polling, firstWindow, tracker)) {
        new LoadGenerator(options, observer).run(out);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (tracker.unresolved() > 0 && System.nanoTime() < deadline) {
          pipeline.checkRunning();
          Thread.sleep(100);
        }
        poller.check("polling the rollup rows");
        Histogram toRollup = tracker.histogram();
        Histogram kafka = hop.histogram();
        out.printf(
            Locale.ROOT,
            "latency: %d task events timed, %d never seen in PostgreSQL within 60 s%n",
            toRollup.getTotalCount(),
            tracker.unresolved());
        String database = DatabaseActivity.describe(sampler.samples(), rate, 2);
        if (database != null) {
          out.println(database);
        }
        return new Latency(
            toRollup, kafka, tracker.unresolved(), sampler.samples(), sampler.peakMemory());
      }
    }
  }

  /** Polls the task rollup rows every 20 ms for the latency tracker. */
  private static BackgroundLoop pollRows(RollupWatch watch, Instant from, LatencyTracker tracker) {
    return BackgroundLoop.start(
        "bench-rollup-poller",
        loop -> {
          while (loop.running()) {
            long at = System.nanoTime();
            tracker.observed(watch.taskWindows(from), at);
            Thread.sleep(20);
          }
        });
  }

  /** Samples the encoded size of every 64th event (Avro single-object encoding). */
  private static final class RecordSizes implements SendObserver {
    private final dev.hourglass.avro.RecordFormat format =
        dev.hourglass.avro.SingleObjectFormat.standard();
    private long count;
    private long sampled;
    private long bytes;

    @Override
    public synchronized void sending(org.apache.avro.specific.SpecificRecord event, long nanos) {
      if (count++ % 64 == 0) {
        sampled++;
        bytes += format.encode(event).length;
      }
    }

    synchronized int average() {
      return sampled == 0 ? 200 : (int) Math.round((double) bytes / sampled);
    }
  }

  private LoadGeneratorOptions generatorOptions(
      BenchCluster cluster, Topics topics, long n, double rate, Instant end) {
    return cluster.cleanLoad(
        topics.prefix(), n, rate, latencyDuration, seed++, orgs, concurrency, end);
  }

  private static void addLatencyRows(BenchReport report, Latency latency, double rate) {
    String at = String.format(Locale.ROOT, " at %,.0f events/s", rate);
    for (double p : new double[] {50, 99, 99.9}) {
      report.row(
          "send to rollup row, p" + trim(p) + at,
          BenchFormat.ms(latency.pipeline().getValueAtPercentile(p)),
          "Kafka hop " + BenchFormat.ms(latency.hop().getValueAtPercentile(p)),
          "",
          p == 99 ? "< 2 s" : "");
    }
  }

  private static Map<String, Double> percentiles(Histogram micros) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("count", (double) micros.getTotalCount());
    for (double p : new double[] {50, 90, 99, 99.9}) {
      m.put("p" + trim(p), micros.getValueAtPercentile(p) / 1000.0);
    }
    m.put("max", micros.getMaxValue() / 1000.0);
    return m;
  }

  private static Path throughputChart(Path png, List<PipelineSampler.Sample> samples) {
    List<Double> t = new ArrayList<>();
    List<double[]> values = new ArrayList<>();
    int from = 0;
    for (int i = 1; i < samples.size(); i++) {
      PipelineSampler.Sample b = samples.get(i);
      // Rates over the last second or more, so that a late sample does not draw a spike.
      while (from < i - 1 && b.seconds() - samples.get(from + 1).seconds() >= 1) {
        from++;
      }
      PipelineSampler.Sample a = samples.get(from);
      double dt = b.seconds() - a.seconds();
      t.add(b.seconds());
      values.add(
          new double[] {
            (b.sent() - a.sent()) / dt,
            (b.processed() - a.processed()) / dt,
            (b.visible() - a.visible()) / dt,
            b.written() - b.processed(),
            b.sinkLag()
          });
    }
    double[] x = t.stream().mapToDouble(Double::doubleValue).toArray();
    return BenchCharts.overTime(
        png,
        "Pipeline at full speed: throughput and lag",
        "events per second",
        List.of(
            new BenchCharts.Line("sent by the load generator", x, column(values, 0)),
            new BenchCharts.Line("consumed by the streams processor", x, column(values, 1)),
            new BenchCharts.Line("counted by rollup rows in PostgreSQL", x, column(values, 2))),
        "lag (records)",
        List.of(
            new BenchCharts.Line("streams processor lag", x, column(values, 3)),
            new BenchCharts.Line("sink lag", x, column(values, 4))));
  }

  private static double[] column(List<double[]> rows, int i) {
    return rows.stream().mapToDouble(r -> r[i]).toArray();
  }

  /** The run whose pipeline rate is the median one. */
  private static Run medianRun(List<Run> runs) {
    List<Run> sorted = new ArrayList<>(runs);
    sorted.sort((a, b) -> Double.compare(a.pipeline(), b.pipeline()));
    return sorted.get(sorted.size() / 2);
  }

  /** Where the CPU went in one full-speed run: seconds and microseconds per event by component. */
  private static void printProfile(PrintStream out, Run run) {
    double total = run.cpuSeconds().values().stream().mapToDouble(Double::doubleValue).sum();
    out.printf(
        Locale.ROOT,
        "%nWhere the CPU went in the median run (%,d events in %.1f s: %.1f CPU seconds of %.1f"
            + " available on %d cores):%n",
        run.events(),
        run.secondsToVisible(),
        total,
        run.secondsToVisible() * Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().availableProcessors());
    run.cpuSeconds()
        .forEach(
            (component, seconds) ->
                out.printf(
                    Locale.ROOT,
                    "  %-40s %6.1f s  %5.1f%%  %6.1f µs per event%n",
                    component,
                    seconds,
                    100 * seconds / total,
                    seconds * 1e6 / run.events()));
  }

  /** The sample with more resident memory; either may be null. */
  private static PipelineSampler.Sample heavier(
      PipelineSampler.Sample a, PipelineSampler.Sample b) {
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    return b.memory().totalPssKib() > a.memory().totalPssKib() ? b : a;
  }

  private static String trim(double p) {
    return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
  }
}
