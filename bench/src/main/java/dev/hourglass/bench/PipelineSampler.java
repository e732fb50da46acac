package dev.hourglass.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Samples a running pipeline at a fixed interval: what the generator has sent, what the streams
 * processor has committed as consumed, how many events the rollup rows in PostgreSQL count, the
 * sink's lag and the resident memory. The series is the pipeline chart; the last sample tells when
 * everything sent is visible in PostgreSQL.
 */
final class PipelineSampler implements AutoCloseable {
  /**
   * One reading.
   *
   * @param seconds since the sampler started
   * @param sent events the generator has handed to the producer
   * @param written records at the ends of the input topics
   * @param processed input records the streams processor has committed as consumed
   * @param visible events counted by the rollup rows in PostgreSQL (this phase's only)
   * @param sinkLag records on the sink's topics it has not yet committed to PostgreSQL
   * @param memory resident memory of this JVM and PostgreSQL at that moment
   * @param database PostgreSQL's checkpoints, WAL and vacuums so far (null if not readable)
   */
  record Sample(
      double seconds,
      long sent,
      long written,
      long processed,
      long visible,
      long sinkLag,
      ProcessMemory memory,
      DatabaseActivity database) {}

  private final LongAdder sent;
  private final GroupLag input;
  private final RollupWatch rollups;
  private final LongSupplier sinkLag;
  private final long postgresPid;
  private final Instant windowsFrom;
  private final long visibleBefore;
  private final long started = System.nanoTime();
  private final CpuProfile cpu;
  private ProcessMemory memory;
  private long ticks;
  private final List<Sample> samples = new ArrayList<>();
  private final BackgroundLoop loop;

  PipelineSampler(
      LongAdder sent,
      GroupLag input,
      RollupWatch rollups,
      LongSupplier sinkLag,
      long postgresPid,
      Instant windowsFrom,
      Duration interval) {
    this.windowsFrom = windowsFrom;
    this.postgresPid = postgresPid;
    this.sent = sent;
    this.input = input;
    this.rollups = rollups;
    this.sinkLag = sinkLag;
    this.cpu = new CpuProfile(postgresPid);
    // Earlier phases' rows (and a loaded data set) stay in the tables: count this phase's only.
    this.visibleBefore = rollups.eventsSince(windowsFrom);
    this.loop = BackgroundLoop.start("bench-sampler", l -> sampleEvery(interval, l));
  }

  private void sampleEvery(Duration interval, BackgroundLoop loop) throws InterruptedException {
    long next = System.nanoTime();
    while (loop.running()) {
      sample();
      next += interval.toNanos();
      long wait = next - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
    }
  }

  private void sample() {
    double seconds = (System.nanoTime() - started) / 1e9;
    cpu.sample();
    // Reading PSS walks every mapping of every process: every 8th sample only, so that the
    // sampler costs little of the CPU it measures.
    if (ticks++ % 8 == 0) {
      memory = ProcessMemory.now(postgresPid);
    }
    Sample s =
        new Sample(
            seconds,
            sent.sum(),
            input.endOffsets(),
            input.committed(),
            rollups.eventsSince(windowsFrom) - visibleBefore,
            sinkLag.getAsLong(),
            memory,
            rollups.databaseActivity());
    synchronized (samples) {
      samples.add(s);
    }
  }

  /** The samples so far; rethrows what stopped the sampler, if anything did. */
  List<Sample> samples() {
    loop.check("sampling the pipeline");
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  /** The latest sample, or null before the first. */
  Sample last() {
    List<Sample> all = samples();
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  /** CPU seconds by component since the sampler started, read now. */
  Map<String, Double> cpuSeconds() {
    cpu.sample();
    return cpu.seconds();
  }

  /** When the sampler started ({@link System#nanoTime()}): the zero of every sample's seconds. */
  long startedNanos() {
    return started;
  }

  /** The sample with the largest total PSS, or null before the first. */
  Sample peakMemory() {
    return samples().stream()
        .max((a, b) -> Long.compare(a.memory().totalPssKib(), b.memory().totalPssKib()))
        .orElse(null);
  }

  @Override
  public void close() {
    loop.close();
  }
}
