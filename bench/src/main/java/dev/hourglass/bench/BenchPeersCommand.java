package dev.hourglass.bench;

import dev.hourglass.bench.peers.FlinkPeer;
import dev.hourglass.bench.peers.LedgerBooks;
import dev.hourglass.bench.peers.Peer;
import dev.hourglass.bench.peers.StreamsDebeziumPeer;
import dev.hourglass.contract.Topics;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.loadgen.LoadGenerator;
import dev.hourglass.loadgen.LoadGeneratorOptions;
import dev.hourglass.loadgen.SendObserver;
import dev.hourglass.schema.PipelineTotals;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Hourglass beside what a team would deploy instead, on the same embedded Kafka and PostgreSQL, the
 * same generated workload and faults, and the same ledger: Kafka Streams' DSL with and without
 * {@code suppress(untilWindowCloses)} feeding the Debezium JDBC sink in a Kafka Connect worker. For
 * each pipeline in turn: the load with faults at full speed, with one restart of the sink mid-run,
 * until PostgreSQL stops changing (events/s, CPU per event, memory, and every row checked against
 * the ledger); then a clean load at a fixed rate for send-to-row latency.
 */
@Command(
    name = "peers",
    mixinStandardHelpOptions = true,
    description =
        "Hourglass beside Kafka Streams DSL + Debezium JDBC sink and Flink: events/s, latency,"
            + " CPU, memory and lost/extra rows against the ledger, same workload and faults.")
final class BenchPeersCommand implements Callable<Integer> {
  static final List<String> ALL =
      List.of("hourglass", "streams-suppress", "streams-continuous", "flink", "flink-exactly-once");

  /**
   * The server setting Flink's XA sink needs: PostgreSQL prepares no transaction by default (0).
   * Enough for the three jobs' two subtasks' transactions of a few checkpoints each.
   */
  private static final Map<String, String> PREPARED_TRANSACTIONS =
      Map.of("max_prepared_transactions", "64");

  @ParentCommand BenchCommand bench;
  @Spec CommandSpec spec;
  @Mixin ConfigOption config;
  @Mixin BenchOutput output;

  @Option(
      names = "--peers",
      split = ",",
      defaultValue = "hourglass,streams-suppress,streams-continuous,flink,flink-exactly-once",
      description = "Pipelines to run, in order (default ${DEFAULT-VALUE}).")
  List<String> peers;

  @Option(
      names = "--events",
      defaultValue = "100000",
      description = "Events of the full-speed run with faults (default ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--orgs",
      defaultValue = "20",
      description = "Organizations (default ${DEFAULT-VALUE}).")
  int orgs;

  @Option(
      names = "--concurrency",
      defaultValue = "2",
      description = "Sending threads (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--rate",
      defaultValue = "1000",
      description = "Fixed rate of the latency run, events/s, the same for all (default 1000).")
  double rate;

  @Option(
      names = "--latency-duration",
      defaultValue = "PT60S",
      description = "How long the latency run sends (default 60 s).")
  Duration latencyDuration;

  @Option(
      names = "--warm-up",
      defaultValue = "PT10S",
      description = "Latency of events sent in the first part of that run is not recorded.")
  Duration warmUp;

  @Option(
      names = "--settle",
      defaultValue = "PT20S",
      description =
          "After the load, once the pipeline has read all its input, PostgreSQL unchanged this"
              + " long counts as final for a pipeline that never reflects every event (default"
              + " 20 s).")
  Duration settle;

  @Option(
      names = "--late-fraction",
      defaultValue = "0.01",
      description = "Share of events sent later than grace + 1 h (default ${DEFAULT-VALUE}).")
  double late;

  @Option(
      names = "--out-of-order-fraction",
      defaultValue = "0.05",
      description = "Share of events sent out of order within grace (default ${DEFAULT-VALUE}).")
  double outOfOrder;

  @Option(
      names = "--invalid-fraction",
      defaultValue = "0.01",
      description = "Share of events that break a validation rule (default ${DEFAULT-VALUE}).")
  double invalid;

  @Option(
      names = "--poison-fraction",
      defaultValue = "0.005",
      description = "Share of records that are not events (default ${DEFAULT-VALUE}).")
  double poison;

  @Option(
      names = "--duplicate-fraction",
      defaultValue = "0.02",
      description = "Share of events sent twice, same event_id (default ${DEFAULT-VALUE}).")
  double duplicate;

  @Option(
      names = "--restart-sink",
      defaultValue = "true",
      negatable = true,
      description = "Restart each pipeline's sink once, half way through the sends (default on).")
  boolean restartSink;

  @Option(
      names = "--static-membership",
      defaultValue = "false",
      description =
          "Give the sinks' consumers a static identity (group.instance.id), as the README advises"
              + " for instances that restart in place: a restarted sink gets its partitions at"
              + " once instead of after its predecessor's session timeout (default off).")
  boolean staticMembership;

  /**
   * One pipeline's figures.
   *
   * @param eventsPerSecond acknowledged events / seconds from the first send to PostgreSQL's final
   *     state (every countable event reflected, or no change for --settle)
   * @param reflectedAll whether PostgreSQL came to count every countable event
   * @param cpuSecondsPer1000 CPU of every thread but the load generator's and the benchmark's, and
   *     of PostgreSQL, per 1,000 events of the full-speed run
   */
  record Result(
      String pipeline,
      long acknowledged,
      Map<String, Long> injected,
      long countable,
      long counted,
      double secondsToFinal,
      double eventsPerSecond,
      boolean reflectedAll,
      double cpuSecondsPer1000,
      Map<String, Double> cpuSeconds,
      double peakPssMib,
      LedgerBooks.Exactness exactness,
      Map<String, Long> deadLetters,
      boolean sinkRestarted,
      double latencyRate,
      Map<String, Double> latencyMs,
      long latencyUnresolved) {}

  private Path stateDir;

  @Override
  public Integer call() throws Exception {
    for (String p : peers) {
      if (!ALL.contains(p)) {
        throw new ParameterException(
            spec.commandLine(),
            "Invalid value " + p + " for configuration --peers: must be among " + ALL);
      }
    }
    if (events < 1000 || !(rate > 0)) {
      throw new ParameterException(
          spec.commandLine(),
          "Invalid value for --events or --rate: need --events >= 1000 and --rate > 0");
    }
    PrintStream out = System.out;
    Map<String, Object> machine = Machine.describe();
    Path dir = output.directory();
    Files.createDirectories(dir);
    // One event-time end for every pipeline: with the same seed, the same events byte for byte.
    Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    List<Result> results = new ArrayList<>();
    stateDir = Files.createTempDirectory("hourglass-peers-state");
    try (BenchCluster cluster =
        BenchCluster.start(
            bench.settings(config.file),
            peers.contains("flink-exactly-once") ? PREPARED_TRANSACTIONS : Map.of(),
            out)) {
      Duration grace = cluster.processor("peers.", "peers", Map.of()).grace();
      for (String name : peers) {
        out.println("== " + name);
        results.add(runPeer(cluster, name, grace, end, dir, out));
      }
    } finally {
      deleteTree(stateDir);
    }
    BenchReport report = report(machine, results);
    report.print(out);
    out.println("Results: " + report.writeJson(dir));
    return 0;
  }

  private Result runPeer(
      BenchCluster cluster, String name, Duration grace, Instant end, Path dir, PrintStream out)
      throws Exception {
    // The full-speed run and the latency run each on a pipeline of their own: the latency run's
    // event time starts hours before the full-speed run's ends, and a pipeline that closes
    // windows on stream time would drop all of it as late.
    Started started = start(cluster, name, name, grace);
    Topics topics = started.topics();
    FullSpeed full;
    LedgerBooks books;
    LedgerBooks.Exactness exact;
    Map<String, Long> dead;
    try (Peer peer = started.peer()) {
      Path ledger = dir.resolve("peers-" + name + "-ledger.jsonl");
      LoadGeneratorOptions faults =
          new LoadGeneratorOptions(
              cluster.bootstrapServers(),
              topics.prefix(),
              events,
              0,
              null,
              1,
              orgs,
              concurrency,
              late,
              outOfOrder,
              invalid,
              poison,
              duplicate,
              0,
              ledger,
              null,
              grace,
              LoadGeneratorOptions.MIN_EVENT_SPAN,
              end);
      full = fullSpeed(cluster, peer, faults, out);
      books = LedgerBooks.read(ledger);
      exact =
          books.compare(
              PipelineTotals.connect(peer.jdbcUrl(), cluster.user(), cluster.password()).rollups(),
              peer.deadLetterPositions());
      dead = peer.deadLetters();
      out.printf(
          Locale.ROOT,
          "%s: %,d events counted of %,d countable after %.1f s; %s; dead letters %s%n",
          name,
          full.counted(),
          books.countable(),
          full.seconds(),
          exact,
          dead);
    }
    Latency latency;
    Started second = start(cluster, name, name + "-latency", grace);
    try (Peer peer = second.peer()) {
      latency = latencyRun(cluster, peer, second.topics(), out);
    }
    double cpu =
        full.cpu().entrySet().stream()
            .filter(
                e -> !e.getKey().equals(CpuProfile.LOAD) && !e.getKey().equals(CpuProfile.BENCH))
            .mapToDouble(Map.Entry::getValue)
            .sum();
    return new Result(
        name,
        books.acknowledged(),
        books.injected(),
        books.countable(),
        full.counted(),
        full.seconds(),
        books.acknowledged() / full.seconds(),
        full.counted() == books.countable(),
        cpu * 1000 / books.acknowledged(),
        full.cpu(),
        Math.max(full.peakPssKib(), latency.peakPssKib()) / 1024.0,
        exact,
        dead,
        full.restarted(),
        rate,
        percentiles(latency.histogram()),
        latency.unresolved());
  }

  /** A pipeline started on topics of its own. */
  private record Started(Topics topics, Peer peer) {}

  /** Starts pipeline {@code name} as {@code instance}: its own topics, tables or group. */
  private Started start(BenchCluster cluster, String name, String instance, Duration grace)
      throws InterruptedException {
    if (name.equals("hourglass")) {
      HourglassPeer peer =
          HourglassPeer.start(
              cluster, "peers-" + instance, stateDir.resolve(instance), staticMembership);
      return new Started(peer.pipeline().topics(), peer);
    }
    Topics topics = cluster.provision("bench-peers-" + instance + ".");
    if (name.startsWith("flink")) {
      return new Started(
          topics,
          FlinkPeer.start(
              instance,
              cluster.bootstrapServers(),
              cluster.jdbcUrl(),
              cluster.user(),
              cluster.password(),
              topics,
              grace,
              name.equals("flink-exactly-once"),
              stateDir.resolve(instance)));
    }
    return new Started(
        topics,
        StreamsDebeziumPeer.start(
            instance,
            cluster.bootstrapServers(),
            cluster.jdbcUrl(),
            cluster.user(),
            cluster.password(),
            topics,
            grace,
            name.equals("streams-suppress"),
            stateDir.resolve(instance),
            staticMembership));
  }

  /** What the full-speed run measured. */
  private record FullSpeed(
      double seconds, long counted, Map<String, Double> cpu, long peakPssKib, boolean restarted) {}

  /** Sends the load with faults at full speed; returns once PostgreSQL is final. */
  private FullSpeed fullSpeed(
      BenchCluster cluster, Peer peer, LoadGeneratorOptions options, PrintStream out)
      throws Exception {
    LongAdder sent = new LongAdder();
    AtomicBoolean restartDue = new AtomicBoolean(restartSink);
    AtomicReference<Thread> restart = new AtomicReference<>();
    long half = options.totalEvents() / 2;
    SendObserver observer =
        (event, nanos) -> {
          sent.increment();
          if (sent.sum() >= half && restartDue.compareAndSet(true, false)) {
            Thread t = new Thread(peer::restartSink, "bench-peers-restart");
            t.start();
            restart.set(t);
          }
        };
    try (RollupWatch watch =
            RollupWatch.connect(peer.jdbcUrl(), cluster.user(), cluster.password());
        Watcher watcher = new Watcher(watch, cluster.postgresPid())) {
      long started = System.nanoTime();
      new LoadGenerator(options, observer).run(out);
      Thread t = restart.get();
      if (t != null) {
        t.join();
      }
      long countable = LedgerBooks.read(options.ledger()).countable();
      // Unchanged for --settle counts from the end of the sends at the earliest.
      long loadEnded = System.nanoTime();
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      // Unchanged for --settle counts from the moment the peer has read its input at the latest:
      // a Flink job restored after the kill re-reads from its checkpoint before windows fire, and
      // the DSL's output is complete only once the application has committed all its input. Once
      // read, the input stays read (nothing more is sent), so that moment is looked for twice a
      // second until seen.
      long caughtUp = Long.MIN_VALUE;
      long probed = Long.MIN_VALUE;
      while (System.nanoTime() < deadline) {
        peer.check();
        watcher.check();
        if (watcher.counted() == countable) {
          break;
        }
        long now = System.nanoTime();
        if (caughtUp == Long.MIN_VALUE
            && (probed == Long.MIN_VALUE || now - probed >= 500_000_000L)) {
          probed = now;
          if (peer.caughtUp()) {
            caughtUp = now;
          }
        }
        if (caughtUp != Long.MIN_VALUE
            && now - Math.max(Math.max(watcher.lastChangeNanos(), loadEnded), caughtUp)
                > settle.toNanos()) {
          break;
        }
        Thread.sleep(100);
      }
      double seconds = (Math.max(watcher.lastChangeNanos(), started) - started) / 1e9;
      return new FullSpeed(
          seconds, watcher.counted(), watcher.cpuSeconds(), watcher.peakPssKib(), t != null);
    }
  }

  /** Samples the rows' total count, CPU and memory every 250 ms. */
  private static final class Watcher implements AutoCloseable {
    private final RollupWatch watch;
    private final long before;
    private final CpuProfile cpu;
    private final long postgresPid;
    private final BackgroundLoop loop;
    private volatile long counted;
    private volatile long lastChangeNanos = System.nanoTime();
    private volatile long peakPssKib;

    Watcher(RollupWatch watch, long postgresPid) {
      this.watch = watch;
      this.postgresPid = postgresPid;
      this.before = watch.eventsSince(Instant.EPOCH);
      this.cpu = new CpuProfile(postgresPid);
      this.loop =
          BackgroundLoop.start(
              "bench-peers-watch",
              l -> {
                long tick = 0;
                while (l.running()) {
                  long now = System.nanoTime();
                  long c = watch.eventsSince(Instant.EPOCH) - before;
                  if (c != counted) {
                    counted = c;
                    lastChangeNanos = now;
                  }
                  cpu.sample();
                  if (tick++ % 8 == 0) {
                    peakPssKib =
                        Math.max(peakPssKib, ProcessMemory.now(this.postgresPid).totalPssKib());
                  }
                  Thread.sleep(250);
                }
              });
    }

    long counted() {
      return counted;
    }

    long lastChangeNanos() {
      return lastChangeNanos;
    }

    long peakPssKib() {
      return peakPssKib;
    }

    Map<String, Double> cpuSeconds() {
      cpu.sample();
      return cpu.seconds();
    }

    void check() {
      loop.check("watching the rollup rows");
    }

    @Override
    public void close() {
      loop.close();
    }
  }

  /** What the fixed-rate run measured. */
  private record Latency(Histogram histogram, long unresolved, long peakPssKib) {}

  private int latencySeed = 1000;

  private Latency latencyRun(BenchCluster cluster, Peer peer, Topics topics, PrintStream out)
      throws Exception {
    Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    LoadGeneratorOptions options =
        cluster.cleanLoad(
            topics.prefix(), 0, rate, latencyDuration, latencySeed++, orgs, concurrency, end);
    Instant firstWindow =
        end.minus(options.eventSpan()).truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
    LatencyTracker tracker = new LatencyTracker(System.nanoTime() + warmUp.toNanos());
    SendObserver observer =
        (event, nanos) -> {
          if (event instanceof TaskEvent t) {
            tracker.sending(t, nanos);
          }
        };
    try (RollupWatch polling =
            RollupWatch.connect(peer.jdbcUrl(), cluster.user(), cluster.password());
        RollupWatch counting =
            RollupWatch.connect(peer.jdbcUrl(), cluster.user(), cluster.password());
        Watcher watcher = new Watcher(counting, cluster.postgresPid());
        BackgroundLoop poller =
            BackgroundLoop.start(
                "bench-peers-poller",
                loop -> {
                  while (loop.running()) {
                    long at = System.nanoTime();
                    tracker.observed(polling.taskWindows(firstWindow), at);
                    Thread.sleep(20);
                  }
                })) {
      new LoadGenerator(options, observer).run(out);
      long loadEnded = System.nanoTime();
      while (tracker.unresolved() > 0
          && System.nanoTime() - Math.max(watcher.lastChangeNanos(), loadEnded)
              < settle.toNanos()) {
        peer.check();
        poller.check("polling the rollup rows");
        Thread.sleep(100);
      }
      Histogram h = tracker.histogram();
      out.printf(
          Locale.ROOT,
          "%s latency at %.0f events/s: p50 %s, p99 %s; %d task events never seen in PostgreSQL%n",
          peer.name(),
          rate,
          BenchFormat.ms(h.getValueAtPercentile(50)),
          BenchFormat.ms(h.getValueAtPercentile(99)),
          tracker.unresolved());
      return new Latency(h, tracker.unresolved(), watcher.peakPssKib());
    }
  }

  private static BenchReport report(Map<String, Object> machine, List<Result> results) {
    BenchReport report =
        new BenchReport(
            "peers",
            machine,
            "pipeline",
            "events/s to PostgreSQL",
            "vs Hourglass",
            "latency p50 / p99",
            "never seen",
            "CPU s / 1k events",
            "peak PSS",
            "lost",
            "extra",
            "rows missing / wrong / extra",
            "late events handled",
            "duplicates handled",
            "quiet windows closed",
            "dead letters");
    double hourglass =
        results.stream()
            .filter(r -> r.pipeline().equals("hourglass"))
            .mapToDouble(Result::eventsPerSecond)
            .findFirst()
            .orElse(Double.NaN);
    for (Result r : results) {
      LedgerBooks.Exactness x = r.exactness();
      report.row(
          r.pipeline(),
          BenchFormat.perSecond(r.eventsPerSecond(), "events") + (r.reflectedAll() ? "" : " *"),
          Double.isNaN(hourglass) ? "" : BenchFormat.ratio(r.eventsPerSecond() / hourglass),
          String.format(
              Locale.ROOT, "%,.0f / %,.0f ms", r.latencyMs().get("p50"), r.latencyMs().get("p99")),
          String.format(Locale.ROOT, "%,d", r.latencyUnresolved()),
          String.format(Locale.ROOT, "%.2f", r.cpuSecondsPer1000()),
          String.format(Locale.ROOT, "%,.0f MiB", r.peakPssMib()),
          String.format(Locale.ROOT, "%,d", x.eventsLost()),
          String.format(Locale.ROOT, "%,d", x.eventsExtra()),
          String.format(
              Locale.ROOT, "%,d / %,d / %,d", x.rowsMissing(), x.rowsWrong(), x.rowsExtra()),
          late(x.late()),
          duplicates(x.duplicates()),
          String.format(
              Locale.ROOT,
              "%s (%,d of %,d)",
              x.quietWindowsClosed() ? "yes" : "no",
              x.quietRowsWritten(),
              x.quietRows()),
          String.format(
              Locale.ROOT,
              "%,d",
              r.deadLetters().values().stream().mapToLong(Long::longValue).sum()));
      report.figure(r.pipeline(), r);
    }
    return report;
  }

  /** "990 corrected / 10 dropped / 0 dead-lettered", and how many are unclear if any. */
  static String late(LedgerBooks.LateEvents l) {
    return String.format(
            Locale.ROOT,
            "%,d corrected / %,d dropped / %,d dead-lettered",
            l.corrected(),
            l.dropped(),
            l.deadLettered())
        + (l.unclear() == 0 ? "" : String.format(Locale.ROOT, " / %,d unclear", l.unclear()));
  }

  /** "1,990 counted once / 10 counted twice", and rows lost and unclear ones if any. */
  static String duplicates(LedgerBooks.Duplicates d) {
    return String.format(
            Locale.ROOT, "%,d counted once / %,d counted twice", d.countedOnce(), d.countedTwice())
        + (d.rowLost() == 0 ? "" : String.format(Locale.ROOT, " / %,d row lost", d.rowLost()))
        + (d.unclear() == 0 ? "" : String.format(Locale.ROOT, " / %,d unclear", d.unclear()));
  }

  private static Map<String, Double> percentiles(Histogram micros) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("count", (double) micros.getTotalCount());
    for (double p : new double[] {50, 99, 99.9}) {
      m.put(p == 99.9 ? "p99.9" : "p" + (long) p, micros.getValueAtPercentile(p) / 1000.0);
    }
    m.put("max", micros.getMaxValue() / 1000.0);
    return m;
  }

  private static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + root, e);
    }
  }
}
