package dev.hourglass.sink;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The scheduler's meters. In Prometheus format: {@code hourglass_maintenance_leader} (1 while this
 * instance holds the lock), and per {@code job}: {@code hourglass_maintenance_runs_total} (label
 * {@code outcome}: succeeded or failed), {@code hourglass_maintenance_duration_seconds} (a timer),
 * {@code hourglass_maintenance_last_run_timestamp_seconds}, {@code
 * hourglass_maintenance_last_success_timestamp_seconds} and {@code
 * hourglass_maintenance_last_outcome} (1 succeeded, 0 failed; NaN before the first run here).
 */
final class MaintenanceMetrics {
  static final String PREFIX = "hourglass.maintenance.";

  private final MeterRegistry registry;
  private final AtomicReference<Double> leader = new AtomicReference<>(0.0);
  private final Map<String, PerJob> jobs = new HashMap<>();

  private record PerJob(
      Timer duration,
      AtomicReference<Double> lastRun,
      AtomicReference<Double> lastSuccess,
      AtomicReference<Double> lastOutcome) {}

  MaintenanceMetrics(MeterRegistry registry, List<String> jobNames) {
    this.registry = registry;
    Gauge.builder(PREFIX + "leader", leader, AtomicReference::get)
        .description("1 while this instance holds the maintenance lock and runs the jobs")
        .register(registry);
    for (String job : jobNames) {
      PerJob m =
          new PerJob(
              Timer.builder(PREFIX + "duration")
                  .description("how long each run of a maintenance job took")
                  .tag("job", job)
                  .register(registry),
              new AtomicReference<>(Double.NaN),
              new AtomicReference<>(Double.NaN),
              new AtomicReference<>(Double.NaN));
      gauge("last.run.timestamp", "when the job's last run here started", job, m.lastRun, true);
      gauge("last.success.timestamp", "when its last run here succeeded", job, m.lastSuccess, true);
      gauge(
          "last.outcome",
          "1 when its last run here succeeded, 0 when it failed",
          job,
          m.lastOutcome,
          false);
      for (String outcome : List.of("succeeded", "failed")) {
        counter(job, outcome);
      }
      jobs.put(job, m);
    }
  }

  private void gauge(
      String name, String description, String job, AtomicReference<Double> value, boolean seconds) {
    Gauge.Builder<AtomicReference<Double>> b =
        Gauge.builder(PREFIX + name, value, AtomicReference::get)
            .description(description)
            .tag("job", job);
    if (seconds) {
      b.baseUnit("seconds");
    }
    b.register(registry);
  }

  private Counter counter(String job, String outcome) {
    return Counter.builder(PREFIX + "runs")
        .description("runs of a maintenance job on this instance, by outcome")
        .tag("job", job)
        .tag("outcome", outcome)
        .register(registry);
  }

  void leader(boolean elected) {
    leader.set(elected ? 1.0 : 0.0);
  }

  void run(String job, Instant started, Duration took, boolean succeeded) {
    PerJob m = jobs.get(job);
    m.duration.record(took);
    double at = started.toEpochMilli() / 1000.0;
    m.lastRun.set(at);
    m.lastOutcome.set(succeeded ? 1.0 : 0.0);
    if (succeeded) {
      m.lastSuccess.set(at);
    }
    counter(job, succeeded ? "succeeded" : "failed").increment();
  }
}
