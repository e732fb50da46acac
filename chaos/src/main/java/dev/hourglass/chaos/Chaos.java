package dev.hourglass.chaos;

import dev.hourglass.loadgen.LoadGeneratorOptions;
import dev.hourglass.loadgen.LoadSummary;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * {@code hourglass chaos}: each scenario of RELIABILITY.md on servers and components that are
 * processes of their own, the load sent with its ledger while the faults are injected, and the
 * invariants checked against the ledger once the pipeline has caught up.
 */
public final class Chaos {
  private final ChaosOptions options;
  private final PrintStream out;
  private final String command;
  private final List<String> errors = new ArrayList<>();

  /**
   * @param command the command line that produced the run, printed in each report
   */
  public Chaos(ChaosOptions options, PrintStream out, String command) {
    this.options = options;
    this.out = out;
    this.command = command;
  }

  /** Runs the scenarios, then the soak if asked, printing each report as it is done. */
  public List<Report> run() throws Exception {
    List<Report> reports = new ArrayList<>();
    for (int s : options.scenarios()) {
      try {
        reports.add(scenario(s));
      } catch (Exception e) {
        // The other scenarios still run; this one counts as failed.
        errors.add("scenario " + s + ": " + e);
        out.println("== scenario " + s + " could not be completed: " + e);
      }
    }
    if (options.soak() != null) {
      try {
        reports.add(soak());
      } catch (Exception e) {
        // Reported as the scenarios are: not completed, with why (a component stuck unready).
        errors.add("scenario 17: " + e);
        out.println("== scenario 17 could not be completed: " + e);
      }
    }
    return reports;
  }

  /** The scenarios that could not be completed, and why. */
  public List<String> errors() {
    return List.copyOf(errors);
  }

  private Path dir(String name) throws java.io.IOException {
    Path d = options.dataDir().resolve(name);
    if (Files.exists(d)) {
      throw new IllegalStateException(d + " exists: give an empty --data-dir");
    }
    return Files.createDirectories(d);
  }

  private Duration interval() {
    return options.load().dividedBy(options.kills() + 1);
  }

  private Report scenario(int n) throws Exception {
    return switch (n) {
      case 2 -> repeated(n, "sink SIGKILLed repeatedly inside batches", 1, 1, 1, false);
      case 4 -> repeated(n, "processor SIGKILLed repeatedly; restore time", 1, 1, 1, true);
      case 5 -> alternate();
      case 10 -> pausedSink();
      case 6 -> brokers();
      case 8 -> postgresKilled();
      case 9 -> tableLocked();
      case 7 -> resend();
      default -> throw new IllegalArgumentException("no scenario " + n);
    };
  }

  /** A run with the load in the background while {@code faults} runs, then the check. */
  private interface Faults {
    void inject(Run run) throws Exception;
  }

  private Report withLoad(
      String title, int brokers, int processors, int sinks, Duration load, Faults faults)
      throws Exception {
    out.println("== " + title);
    try (Run run =
        Run.start(
            dir("scenario-" + title.substring(0, title.indexOf(' '))),
            options,
            brokers,
            processors,
            sinks,
            out)) {
      CompletableFuture<LoadSummary> sending =
          run.send(
              run.load(options.seed(), 0, options.rate(), load, options.faultFraction()), false);
      faults.inject(run);
      sending.get();
      return finish(run, title, List.of());
    }
  }

  private Report finish(Run run, String title, List<String> notes) throws Exception {
    // Every component up again (a supervisor restarts what ended), then caught up, then checked.
    run.awaitReady();
    Duration caughtUp = run.awaitCaughtUp(options.catchUpTimeout());
    List<String> all = new ArrayList<>(notes);
    Report r = run.check(title, command, caughtUp, all);
    r.print(out);
    return r;
  }

  private Report repeated(
      int n, String what, int brokers, int processors, int sinks, boolean processor)
      throws Exception {
    return withLoad(
        n + " " + what,
        brokers,
        processors,
        sinks,
        options.load(),
        run -> {
          for (int k = 1; k <= options.kills(); k++) {
            Thread.sleep(interval().toMillis());
            Proc p = processor ? run.streams.get(0) : run.sinks.get(0);
            p.kill();
            p.start();
            run.fault(
                "SIGKILL " + p.name + " (" + k + " of " + options.kills() + ")", run.awaitReady(p));
          }
        });
  }

  private Report alternate() throws Exception {
    return withLoad(
        "5 two processors and two sinks stopped and started alternately",
        1,
        2,
        2,
        options.load(),
        run -> {
          List<Proc> order =
              List.of(run.streams.get(0), run.sinks.get(0), run.streams.get(1), run.sinks.get(1));
          for (int k = 0; k < Math.max(options.kills(), 4); k++) {
            Thread.sleep(interval().toMillis() / 2);
            Proc p = order.get(k % order.size());
            p.stop();
            Thread.sleep(interval().toMillis() / 2);
            p.start();
            run.fault("stop (SIGTERM) and start " + p.name, run.awaitReady(p));
          }
        });
  }

  private Report pausedSink() throws Exception {
    // Past the consumer's session timeout (45 s) and the sink's idle-in-transaction timeout.
    Duration paused = Duration.ofSeconds(60);
    Duration load = max(options.load(), paused.plus(Duration.ofSeconds(40)));
    String title = "10 a sink SIGSTOPped past its session timeout, then SIGCONT";
    out.println("== " + title);
    try (Run run = Run.start(dir("scenario-10"), options, 1, 1, 2, out)) {
      CompletableFuture<LoadSummary> sending =
          run.send(
              run.load(options.seed(), 0, options.rate(), load, options.faultFraction()), false);
      Thread.sleep(Duration.ofSeconds(15).toMillis());
      Proc frozen = run.sinks.get(0);
      Proc other = run.sinks.get(1);
      double rejectedBefore = frozen.metric("hourglass_sink_commits_rejected_total");
      frozen.pause();
      Thread.sleep(paused.toMillis());
      frozen.resume();
      Duration ready = run.awaitReady(frozen);
      run.fault(
          "SIGSTOP " + frozen.name + " for " + Report.seconds(paused) + ", then SIGCONT", ready);
      sending.get();
      Duration caughtUp = run.awaitCaughtUp(options.catchUpTimeout());
      List<String> notes =
          List.of(
              frozen.name
                  + " after SIGCONT: commits rejected "
                  + (long) (frozen.metric("hourglass_sink_commits_rejected_total") - rejectedBefore)
                  + ", retries "
                  + (long) frozen.metric("hourglass_sink_retries_total")
                  + ", rebalances "
                  + (long) frozen.metric("hourglass_sink_rebalances_total")
                  + "; "
                  + other.name
                  + " commits rejected "
                  + (long) other.metric("hourglass_sink_commits_rejected_total"));
      Report r = run.check(title, command, caughtUp, notes);
      r.print(out);
      return r;
    }
  }

  private Report brokers() throws Exception {
    Duration down = Duration.ofSeconds(20);
    return withLoad(
        "6 three brokers: one SIGKILLed and restarted, then the whole cluster",
        3,
        1,
        1,
        max(options.load(), Duration.ofSeconds(90)),
        run -> {
          Thread.sleep(interval().toMillis());
          run.servers.killBroker(1);
          Thread.sleep(down.toMillis());
          run.servers.restartBroker(1);
          run.fault("SIGKILL kafka-2, restarted after " + Report.seconds(down), run.awaitReady());
          Thread.sleep(interval().toMillis());
          run.servers.killAndRestartCluster(Duration.ofSeconds(5));
          run.fault("SIGKILL kafka-1, -2 and -3, restarted after 5 s", run.awaitReady());
        });
  }

  private Report postgresKilled() throws Exception {
    String title = "8 PostgreSQL's postmaster SIGKILLed during writes, restarted later";
    Duration load = max(options.load(), options.postgresDown().plus(Duration.ofSeconds(30)));
    out.println("== " + title);
    try (Run run = Run.start(dir("scenario-8"), options, 1, 1, 1, out)) {
      CompletableFuture<LoadSummary> sending =
          run.send(
              run.load(options.seed(), 0, options.rate(), load, options.faultFraction()), false);
      Thread.sleep(Duration.ofSeconds(10).toMillis());
      Proc sink = run.sinks.get(0);
      long before = sink.peakRss();
      run.servers.killPostgres();
      Thread.sleep(options.postgresDown().toMillis());
      run.servers.restartPostgres();
      run.fault(
          "SIGKILL postgres (postmaster), restarted after "
              + Report.seconds(options.postgresDown()),
          run.awaitReady(sink));
      sending.get();
      Duration caughtUp = run.awaitCaughtUp(options.catchUpTimeout());
      List<String> notes =
          List.of(
              "sink retries "
                  + (long) sink.metric("hourglass_sink_retries_total")
                  + ", sink peak RSS "
                  + (before >> 20)
                  + " MiB before the outage, "
                  + (sink.peakRss() >> 20)
                  + " MiB at the end");
      Report r = run.check(title, command, caughtUp, notes);
      r.print(out);
      return r;
    }
  }

  private Report tableLocked() throws Exception {
    String title = "9 a rollup table locked (ACCESS EXCLUSIVE) during ingest";
    Duration load = max(options.load(), options.lock().plus(Duration.ofSeconds(30)));
    out.println("== " + title);
    try (Run run = Run.start(dir("scenario-9"), options, 1, 1, 1, out)) {
      CompletableFuture<LoadSummary> sending =
          run.send(
              run.load(options.seed(), 0, options.rate(), load, options.faultFraction()), false);
      Thread.sleep(Duration.ofSeconds(10).toMillis());
      Proc sink = run.sinks.get(0);
      long before = sink.peakRss();
      run.lockTable("task_rollups_hourly", options.lock());
      run.fault(
          "task_rollups_hourly locked for " + Report.seconds(options.lock()), run.awaitReady());
      sending.get();
      Duration caughtUp = run.awaitCaughtUp(options.catchUpTimeout());
      List<String> notes =
          List.of(
              "sink retries "
                  + (long) sink.metric("hourglass_sink_retries_total")
                  + ", rebalances "
                  + (long) sink.metric("hourglass_sink_rebalances_total")
                  + ", sink peak RSS "
                  + (before >> 20)
                  + " MiB before the lock, "
                  + (sink.peakRss() >> 20)
                  + " MiB at the end");
      Report r = run.check(title, command, caughtUp, notes);
      r.print(out);
      return r;
    }
  }

  private Report resend() throws Exception {
    String title = "7 a producer restarts and resends its last acknowledged events";
    out.println("== " + title);
    try (Run run = Run.start(dir("scenario-7"), options, 1, 1, 1, out)) {
      run.send(
              run.load(options.seed(), 0, options.rate(), options.load(), options.faultFraction()),
              false)
          .get();
      // The last events: a clean batch of their own, sent, then the same again by a new producer
      // (a new session: idempotence cannot help, the processor's deduplication must).
      LoadGeneratorOptions last =
          run.load(options.seed() + 1, options.resend(), options.rate(), null, 0);
      run.send(last, false).get();
      LoadGeneratorOptions again =
          run.load(options.seed() + 1, options.resend(), options.rate(), null, 0);
      run.send(again, true).get();
      run.fault(
          "a new producer resent the last " + options.resend() + " acknowledged events", null);
      Duration caughtUp = run.awaitCaughtUp(options.catchUpTimeout());
      Report r = run.check(title, command, caughtUp, List.of());
      r.print(out);
      return r;
    }
  }

  /**
   * Scenario 17: capacity measured first (a burst as fast as possible, until caught up), then the
   * soak at 70 % of it with a random component SIGKILLed every {@code killEvery}.
   */
  private Report soak() throws Exception {
    String title =
        "17 soak of "
            + options.soak()
            + (options.soakRate() > 0
                ? " at " + Math.round(options.soakRate()) + " events/s"
                : " at 70 % of measured capacity");
    out.println("== " + title);
    SplittableRandom random = new SplittableRandom(options.seed());
    try (Run run = Run.start(dir("scenario-17"), options, 1, 2, 2, out)) {
      String measured;
      double rate;
      if (options.soakRate() > 0) {
        // An explicit rate: no burst (on a shared machine the burst measures the neighbours).
        rate = options.soakRate();
        measured = String.format("explicit soak rate %.0f events/s (no capacity burst)", rate);
      } else {
        long burst = 30_000;
        long start = System.nanoTime();
        // The burst's event time lies before the soak's, so that the soak's events are on time
        // (not all corrections of hours the burst already closed).
        run.send(
                run.load(
                    options.seed(),
                    burst,
                    0,
                    null,
                    0,
                    run.eventTimeEnd.minus(LoadGeneratorOptions.MIN_EVENT_SPAN)),
                false)
            .get();
        run.awaitCaughtUp(options.catchUpTimeout());
        double capacity = burst / ((System.nanoTime() - start) / 1e9);
        rate = Math.max(1, Math.round(capacity * 0.7));
        measured = String.format("capacity %.0f events/s, soak rate %.0f events/s", capacity, rate);
      }
      out.println("  " + measured);
      CompletableFuture<LoadSummary> sending =
          run.send(
              run.load(options.seed() + 2, 0, rate, options.soak(), options.faultFraction()),
              false);
      long end = System.nanoTime() + options.soak().toNanos();
      while (System.nanoTime() + options.killEvery().toNanos() < end) {
        Thread.sleep(options.killEvery().toMillis());
        int pick = pick(random);
        switch (pick) {
          case 0, 1 -> {
            Proc p = run.streams.get(pick);
            p.kill();
            p.start();
            run.fault("SIGKILL " + p.name, run.awaitReady(p));
          }
          case 2, 3 -> {
            Proc p = run.sinks.get(pick - 2);
            p.kill();
            p.start();
            run.fault("SIGKILL " + p.name, run.awaitReady(p));
          }
          case 4 -> {
            run.servers.killBroker(0);
            Thread.sleep(5_000);
            run.servers.restartBroker(0);
            run.fault("SIGKILL kafka-1 (the only broker), restarted after 5 s", run.awaitReady());
          }
          default -> {
            run.servers.killPostgres();
            Thread.sleep(5_000);
            run.servers.restartPostgres();
            run.fault("SIGKILL postgres, restarted after 5 s", run.awaitReady());
          }
        }
      }
      sending.get();
      return finish(run, title, List.of(measured));
    }
  }

  /**
   * The soak's next fault: 0 and 1 a processor, 2 and 3 a sink, 4 the broker, 5 PostgreSQL, drawn
   * among the kinds {@code --soak-faults} allows (all: the same draws as before the option).
   */
  private int pick(SplittableRandom random) {
    if (options.soakFaults().isEmpty()) {
      return random.nextInt(6);
    }
    List<Integer> allowed = new ArrayList<>();
    for (String f : options.soakFaults()) {
      switch (f) {
        case "processor" -> allowed.addAll(List.of(0, 1));
        case "sink" -> allowed.addAll(List.of(2, 3));
        case "broker" -> allowed.add(4);
        default -> allowed.add(5);
      }
    }
    return allowed.get(random.nextInt(allowed.size()));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
