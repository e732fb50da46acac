package dev.hourglass.sink;

import dev.hourglass.contract.Family;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.apache.avro.specific.SpecificRecord;

/**
 * The sink's meters: what {@link SinkStats} counts, rows written per table, the time each commit
 * took, and freshness: how old the newest event (by {@code occurred_at}) and the newest rollup hour
 * (by {@code window_start}) this instance committed to PostgreSQL are, per family. Labels are a
 * table name or a family, never an organization.
 */
final class SinkMetrics {
  private final MeterRegistry registry;
  private final Clock clock;
  private final Map<String, Counter> rows = new ConcurrentHashMap<>();
  private final Timer commits;
  private final Map<Family, AtomicLong> newestEvent = new EnumMap<>(Family.class);
  private final Map<Family, AtomicLong> newestWindow = new EnumMap<>(Family.class);

  SinkMetrics(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
    this.commits =
        Timer.builder("hourglass.sink.batch.commit")
            .description("time to write and commit one batch (rows and offsets, one transaction)")
            .register(registry);
    for (Family family : Family.values()) {
      newestEvent.put(family, new AtomicLong(Long.MIN_VALUE));
      newestWindow.put(family, new AtomicLong(Long.MIN_VALUE));
      freshness(family, "event", newestEvent.get(family));
      freshness(family, "rollup", newestWindow.get(family));
    }
  }

  /**
   * Reads the loop's counters as Prometheus counters and gauges (at scrape time). Micrometer holds
   * the object a function meter reads only weakly: the loop, which the sink holds, not a lambda.
   */
  void bind(SinkLoop loop) {
    count(
        "hourglass.sink.batches.committed",
        loop,
        s -> s.batchesCommitted(),
        "transactions committed (rows, offsets or both)");
    count(
        "hourglass.sink.records.committed",
        loop,
        s -> s.recordsCommitted(),
        "Kafka records whose rows are committed (dead letters included)");
    count(
        "hourglass.sink.rejected",
        loop,
        s -> s.deadLettered(),
        "records the sink itself dead-lettered (undecodable, or refused by the database)");
    count(
        "hourglass.sink.retries",
        loop,
        s -> s.transientFailures(),
        "failed database attempts that were retried (database away, timeout, deadlock)");
    count(
        "hourglass.sink.commits.rejected",
        loop,
        s -> s.commitsRejected(),
        "batches rolled back because another instance had moved the offsets");
    count(
        "hourglass.sink.commits.lost",
        loop,
        s -> s.commitsLost(),
        "commits PostgreSQL acknowledged and lost (asynchronous commit and a crash), replayed");
    count(
        "hourglass.sink.offsets.replayed",
        loop,
        s -> s.offsetsReplayed(),
        "Kafka offsets read again because PostgreSQL lost commits");
    count(
        "hourglass.sink.rebalances",
        loop,
        s -> s.partitionsRevoked(),
        "rebalances that took partitions from this instance");
    Gauge.builder("hourglass.sink.partitions.ready", loop, l -> l.stats().partitionsReady())
        .description("partitions owned and seeked to the offsets stored in PostgreSQL")
        .register(registry);
  }

  private void count(String name, SinkLoop loop, ToDoubleFunction<SinkStats> field, String help) {
    FunctionCounter.builder(name, loop, l -> field.applyAsDouble(l.stats()))
        .description(help)
        .register(registry);
  }

  private void freshness(Family family, String of, AtomicLong newestMillis) {
    Gauge.builder(
            "hourglass.sink.freshness",
            newestMillis,
            n -> n.get() == Long.MIN_VALUE ? Double.NaN : (clock.millis() - n.get()) / 1000.0)
        .tag("family", family.name().toLowerCase(Locale.ROOT))
        .tag("of", of)
        .baseUnit("seconds")
        .description(
            "now minus the newest event time (of=event) or rollup window_start (of=rollup) this"
                + " instance committed to PostgreSQL; NaN until its first commit")
        .register(registry);
  }

  /** A batch committed (on the writer thread): its rows and freshness, and how long it took. */
  void committed(Batch batch, BatchWriter.Result result, long nanos) {
    commits.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    result
        .rowsWritten()
        .forEach(
            (table, n) ->
                rows.computeIfAbsent(
                        table,
                        t ->
                            Counter.builder("hourglass.sink.rows.written")
                                .tag("table", t)
                                .description("rows inserted or updated in committed batches")
                                .register(registry))
                    .increment(n));
    long now = clock.millis();
    for (SinkRecord r : batch.records()) {
      if (r.payload() instanceof SpecificRecord p) {
        Family.forEventType(p.getClass())
            .ifPresent(f -> newest(newestEvent.get(f), f.occurredAt(p).toEpochMilli(), now));
        Family.forRollupType(p.getClass())
            .ifPresent(f -> newest(newestWindow.get(f), f.windowStart(p).toEpochMilli(), now));
      }
    }
  }

  /** An event time ahead of this clock (a producer's clock skew) says nothing of freshness. */
  private static void newest(AtomicLong holder, long millis, long now) {
    if (millis <= now) {
      holder.accumulateAndGet(millis, Math::max);
    }
  }
}
