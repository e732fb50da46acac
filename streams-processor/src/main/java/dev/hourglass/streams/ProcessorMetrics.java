package dev.hourglass.streams;

import dev.hourglass.contract.Family;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * The processor's books as Prometheus meters. The counters read the books each task last published
 * on the stats topic (cumulative per input partition, restored with the task's stores), summed over
 * the tasks this instance owns: once the stats topic is caught up they equal the books local mode
 * prints, and summed over instances they are the pipeline's. A partition's books move with its
 * task, so an instance's counter drops when it gives a task away (Prometheus reads it as a reset).
 * Labels: {@code family} (three values) and the dead-letter {@code reason} (a fixed set of codes);
 * never an organization.
 */
final class ProcessorMetrics implements Books {
  private final MeterRegistry registry;
  private final Map<String, Owned> tasks = new ConcurrentHashMap<>();
  private final Set<String> reasons = ConcurrentHashMap.newKeySet();
  private final Map<String, Counter> rollups = new ConcurrentHashMap<>();

  private record Owned(Family family, Snapshot books) {}

  ProcessorMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Family family : Family.values()) {
      String f = label(family);
      counter(
          "hourglass.processor.events.counted",
          f,
          Snapshot::counted,
          "events counted into hourly rollups");
      counter(
          "hourglass.processor.duplicates.suppressed",
          f,
          Snapshot::duplicatesSuppressed,
          "events dropped as already counted (same event_id within the dedup horizon)");
      counter(
          "hourglass.processor.late.corrected",
          f,
          Snapshot::lateCorrected,
          "events past grace applied as corrections to a closed hour");
      counter(
          "hourglass.processor.rerouted",
          f,
          Snapshot::rerouted,
          "records forwarded from a partition not their key's to their owner (counted there)");
      Gauge.builder(
              "hourglass.processor.stream.time", this, m -> m.newestStreamTime(family) / 1000.0)
          .tag("family", f)
          .description("newest stream time (event time) of the family's owned partitions")
          .baseUnit("seconds")
          .register(registry);
    }
  }

  private void counter(String name, String family, ToLongFunction<Snapshot> field, String help) {
    FunctionCounter.builder(name, this, m -> m.sum(family, field))
        .tag("family", family)
        .description(help)
        .register(registry);
  }

  private double sum(String family, ToLongFunction<Snapshot> field) {
    long total = 0;
    for (Owned o : tasks.values()) {
      if (label(o.family()).equals(family)) {
        total += field.applyAsLong(o.books());
      }
    }
    return total;
  }

  private double newestStreamTime(Family family) {
    long newest = Long.MIN_VALUE;
    for (Owned o : tasks.values()) {
      if (o.family() == family) {
        newest = Math.max(newest, o.books().streamTime());
      }
    }
    return newest == Long.MIN_VALUE ? Double.NaN : newest;
  }

  @Override
  public void published(String statsKey, Family family, Snapshot books) {
    tasks.put(statsKey, new Owned(family, books));
    for (String reason : books.deadLettered().keySet()) {
      String f = label(family);
      if (reasons.add(f + "|" + reason)) {
        FunctionCounter.builder(
                "hourglass.processor.dead.letters",
                this,
                m -> m.sum(f, s -> s.deadLettered().getOrDefault(reason, 0L)))
            .tag("family", f)
            .tag("reason", reason)
            .description("records dead-lettered by the processor, by reason code")
            .register(registry);
      }
    }
  }

  @Override
  public void closed(String statsKey) {
    tasks.remove(statsKey);
  }

  @Override
  public void rollupEmitted(Family family, String kind) {
    rollups
        .computeIfAbsent(
            label(family) + "|" + kind,
            k ->
                Counter.builder("hourglass.processor.rollups.emitted")
                    .tag("family", label(family))
                    .tag("kind", kind)
                    .description(
                        "rollup records sent (updates, finals, corrections); aborted sends"
                            + " included")
                    .register(registry))
        .increment();
  }

  @Override
  public void rules(Family family, List<String> rules) {
    for (String rule : rules) {
      for (String state : List.of("FIRING", "RESOLVED")) {
        alerts(family, rule, state);
      }
    }
  }

  @Override
  public void alertEmitted(Family family, String rule, String state) {
    alerts(family, rule, state).increment();
  }

  private Counter alerts(Family family, String rule, String state) {
    return Counter.builder("hourglass.processor.alerts.emitted")
        .tag("family", label(family))
        .tag("rule", rule)
        .tag("state", state.toLowerCase(Locale.ROOT))
        .description("alerts sent, by rule and state; aborted sends included")
        .register(registry);
  }

  static String label(Family family) {
    return family.name().toLowerCase(Locale.ROOT);
  }
}
