package dev.hourglass.loadgen;

import dev.hourglass.embedded.EmbeddedKafka;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.producer.EventPublisher;
import dev.hourglass.producer.PublisherConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.avro.specific.SpecificRecord;

/**
 * The benchmark's {@code rate} mode: what each codec and linger costs the service that publishes,
 * per event, at the fixed rates services send at, and at full speed. At a moderate rate a batch
 * holds one or a few events, so a codec's cost per batch (its buffers, its context) becomes a cost
 * per event that a full-speed run, with full batches, hides.
 *
 * <p>Per run (one codec, linger and rate, its own topics and publisher): a warm-up at the rate,
 * then a measured window; the figures are the window's. Bytes allocated come from each thread's
 * allocation counter ({@code com.sun.management.ThreadMXBean}): "client" is the calling thread and
 * the publisher's I/O thread, what a service pays; "JVM" is every thread, the in-JVM broker's
 * included. CPU likewise: the client threads' CPU time, and the process's. Send latency runs from
 * the send's place on the schedule to its acknowledgement. Codecs alternate innermost, so a change
 * of machine load falls on all of them alike.
 */
final class FixedRateCost {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private FixedRateCost() {}

  /** One cell of the table: a rate (0 = full speed), a linger and a codec. */
  record Cell(int rate, int lingerMs, String codec) {}

  /** A run's figures, per event unless named otherwise. */
  record Figures(
      double eventsPerSecond,
      double clientBytes,
      double jvmBytes,
      double clientCpuMicros,
      double processCpuMicros,
      double compressionRate,
      double batchBytes,
      double p99Millis,
      double loadAverage) {}

  /** Counters of every live thread at one instant, and which of them are the client's. */
  private record Snapshot(
      Map<Long, Long> bytes, Map<Long, Long> cpu, List<Long> client, long processCpu) {}

  static void run(
      EmbeddedKafka kafka,
      List<SpecificRecord> events,
      int seconds,
      int warmupSeconds,
      int[] rates,
      List<String> codecs,
      int[] lingers,
      int rounds)
      throws Exception {
    System.out.printf(
        Locale.ROOT,
        "rate mode: %d s measured after %d s of warm-up per run, %d rounds, %d cores%n",
        seconds,
        warmupSeconds,
        rounds,
        Runtime.getRuntime().availableProcessors());
    System.out.println(
        "round | rate | linger ms | codec | events/s | client B/event | JVM B/event"
            + " | client CPU µs/event | process CPU µs/event | compression rate | batch B"
            + " | p99 ms | load avg");
    Map<Cell, List<Figures>> all = new LinkedHashMap<>();
    int k = 0;
    for (int round = 0; round < rounds; round++) {
      for (int rate : rates) {
        for (int linger : lingers) {
          for (String codec : codecs) {
            Cell cell = new Cell(rate, linger, codec);
            Figures f = runOne(kafka, events, cell, seconds, warmupSeconds, "r" + k++);
            all.computeIfAbsent(cell, c -> new ArrayList<>()).add(f);
            System.out.printf(
                Locale.ROOT,
                "%d | %s | %d | %s | %s%n",
                round,
                rate == 0 ? "full" : Integer.toString(rate),
                linger,
                codec,
                line(f));
          }
        }
      }
    }
    System.out.println("medians over the rounds:");
    System.out.println(
        "| rate | linger ms | codec | events/s | client B/event | JVM B/event"
            + " | client CPU µs/event | process CPU µs/event | compression rate | batch B"
            + " | p99 ms |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    all.forEach(
        (cell, runs) ->
            System.out.printf(
                Locale.ROOT,
                "| %s | %d | %s | %s |%n",
                cell.rate() == 0 ? "full" : String.format(Locale.ROOT, "%,d", cell.rate()),
                cell.lingerMs(),
                cell.codec(),
                median(runs)));
  }

  private static String line(Figures f) {
    return String.format(
        Locale.ROOT,
        "%.0f | %.0f | %.0f | %.1f | %.1f | %.2f | %.0f | %.1f | %.1f",
        f.eventsPerSecond(),
        f.clientBytes(),
        f.jvmBytes(),
        f.clientCpuMicros(),
        f.processCpuMicros(),
        f.compressionRate(),
        f.batchBytes(),
        f.p99Millis(),
        f.loadAverage());
  }

  private static String median(List<Figures> runs) {
    return String.format(
        Locale.ROOT,
        "%,.0f | %,.0f | %,.0f | %.1f | %.1f | %.2f | %,.0f | %.1f",
        median(runs, Figures::eventsPerSecond),
        median(runs, Figures::clientBytes),
        median(runs, Figures::jvmBytes),
        median(runs, Figures::clientCpuMicros),
        median(runs, Figures::processCpuMicros),
        median(runs, Figures::compressionRate),
        median(runs, Figures::batchBytes),
        median(runs, Figures::p99Millis));
  }

  private static double median(List<Figures> runs, ToDoubleFunction<Figures> figure) {
    return PublisherThroughputBenchmark.median(runs.stream().mapToDouble(figure).toArray());
  }

  private static Figures runOne(
      EmbeddedKafka kafka,
      List<SpecificRecord> events,
      Cell cell,
      int seconds,
      int warmupSeconds,
      String run)
      throws Exception {
    TestKafka topics = PublisherThroughputBenchmark.createEventTopics(kafka, run);
    // A client id of the run's own: its I/O thread and its JMX metrics are found by it.
    String clientId = "bench-" + run;
    PublisherConfig config =
        PublisherConfig.from(
            Map.of(
                PublisherConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                PublisherConfig.TOPIC_PREFIX, topics.topic(""),
                PublisherConfig.CLIENT_ID, clientId,
                PublisherConfig.COMPRESSION_TYPE, cell.codec(),
                PublisherConfig.LINGER_MS, Integer.toString(cell.lingerMs())));
    Figures figures;
    try (EventPublisher publisher = EventPublisher.create(config)) {
      Histogram ignored = new ConcurrentHistogram(60_000_000L, 3);
      long next = send(publisher, events, 0, cell.rate(), warmupSeconds, ignored);
      publisher.flush();
      Histogram latency = new ConcurrentHistogram(60_000_000L, 3);
      Snapshot before = snapshot(clientId);
      long started = System.nanoTime();
      long sent = send(publisher, events, next, cell.rate(), seconds, latency) - next;
      publisher.flush();
      long elapsed = System.nanoTime() - started;
      Snapshot after = snapshot(clientId);
      figures =
          new Figures(
              sent / (elapsed / 1e9),
              (double) sum(before.bytes(), after.bytes(), after.client()) / sent,
              (double) sum(before.bytes(), after.bytes(), null) / sent,
              sum(before.cpu(), after.cpu(), after.client()) / 1e3 / sent,
              (after.processCpu() - before.processCpu()) / 1e3 / sent,
              PublisherThroughputBenchmark.producerMetric(clientId, "compression-rate-avg"),
              PublisherThroughputBenchmark.producerMetric(clientId, "batch-size-avg"),
              latency.getValueAtPercentile(99) / 1e3,
              OS.getSystemLoadAverage());
    }
    PublisherThroughputBenchmark.deleteTopics(topics);
    return figures;
  }

  /**
   * Sends events {@code first}, {@code first + 1}, ... (cycling over {@code events}) at {@code
   * rate} per second on a {@code nanoTime} schedule, or as fast as {@code publish} takes them when
   * {@code rate} is 0, for {@code seconds}; returns the index after the last one sent.
   */
  private static long send(
      EventPublisher publisher,
      List<SpecificRecord> events,
      long first,
      int rate,
      int seconds,
      Histogram latencyMicros) {
    LongAdder failed = new LongAdder();
    long started = System.nanoTime();
    long end = started + seconds * 1_000_000_000L;
    long i = first;
    while (true) {
      long now = System.nanoTime();
      // The send's place on the schedule: its latency counts from there, so a send that the
      // caller could not make on time is not excused.
      long due = rate == 0 ? now : started + (long) ((i - first) * (1e9 / rate));
      if (due >= end || now >= end) {
        break;
      }
      if (now < due) {
        LockSupport.parkNanos(due - now);
        continue;
      }
      PublisherThroughputBenchmark.publish(publisher, events.get((int) (i % events.size())))
          .whenComplete(
              (metadata, error) -> {
                if (error == null) {
                  latencyMicros.recordValue(
                      Math.min((System.nanoTime() - due) / 1_000, 60_000_000L));
                } else {
                  failed.increment();
                }
              });
      i++;
    }
    publisher.flush();
    if (failed.sum() > 0) {
      throw new IllegalStateException(failed.sum() + " sends failed; the figures would be wrong");
    }
    return i;
  }

  /**
   * Every live thread's allocated bytes and CPU time; the client's threads are this one (the caller
   * of publish, where Kafka appends and compresses) and the publisher's I/O thread.
   */
  private static Snapshot snapshot(String clientId) {
    long processCpu = OS.getProcessCpuTime();
    long[] ids = THREADS.getAllThreadIds();
    long[] bytes = THREADS.getThreadAllocatedBytes(ids);
    long[] cpu = THREADS.getThreadCpuTime(ids);
    Map<Long, Long> b = new HashMap<>();
    Map<Long, Long> c = new HashMap<>();
    List<Long> client = new ArrayList<>();
    long self = Thread.currentThread().getId();
    for (int j = 0; j < ids.length; j++) {
      // -1: the thread ended between the two calls.
      if (bytes[j] >= 0 && cpu[j] >= 0) {
        b.put(ids[j], bytes[j]);
        c.put(ids[j], cpu[j]);
      }
    }
    for (ThreadInfo info : THREADS.getThreadInfo(ids)) {
      if (info != null
          && (info.getThreadId() == self
              || info.getThreadName()
                  .startsWith("kafka-producer-network-thread | " + clientId + "-"))) {
        client.add(info.getThreadId());
      }
    }
    return new Snapshot(b, c, client, processCpu);
  }

  /**
   * What the threads of {@code only} (every thread when null) added between the two snapshots; a
   * thread started in between counts from zero, one ended in between is lost (none in a steady
   * run).
   */
  private static long sum(Map<Long, Long> before, Map<Long, Long> after, List<Long> only) {
    long total = 0;
    for (Map.Entry<Long, Long> e : after.entrySet()) {
      if (only == null || only.contains(e.getKey())) {
        total += e.getValue() - before.getOrDefault(e.getKey(), 0L);
      }
    }
    return total;
  }
}
