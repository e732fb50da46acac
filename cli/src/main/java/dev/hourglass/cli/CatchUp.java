package dev.hourglass.cli;

import dev.hourglass.contract.Topics;
import dev.hourglass.loadgen.StreamStats;
import dev.hourglass.sink.SinkApp;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Waits until everything sent is in PostgreSQL: the processor has accounted for every acknowledged
 * event (counted, dead-lettered or suppressed, by its exact stats), and then the sink's offsets
 * stored in PostgreSQL have equalled the topics' end offsets for long enough that no rollup update
 * was still due (the processor emits on an interval).
 */
final class CatchUp {
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration STABLE = Duration.ofSeconds(4);

  private CatchUp() {}

  static void await(
      PrintStream out,
      String bootstrapServers,
      Topics topics,
      SinkApp sink,
      long acknowledged,
      Duration timeout)
      throws InterruptedException {
    await(
        out,
        Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
        topics,
        sink,
        acknowledged,
        timeout);
  }

  /** As above, reading the counters with {@code client} (brokers and security). */
  static void await(
      PrintStream out,
      Map<String, Object> client,
      Topics topics,
      SinkApp sink,
      long acknowledged,
      Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long lastReport = 0;
    long caughtUpSince = 0;
    while (true) {
      StreamStats stats = StreamStats.read(client, topics.stats().name());
      long accounted = stats.counted() + stats.duplicatesSuppressed() + stats.deadLetteredTotal();
      long lag = accounted >= acknowledged ? sink.lag() : -1;
      long now = System.nanoTime();
      if (sink.failure().isPresent()) {
        throw new IllegalStateException("the sink stopped", sink.failure().get());
      }
      if (lag == 0) {
        if (caughtUpSince == 0) {
          caughtUpSince = now;
        } else if (now - caughtUpSince >= STABLE.toNanos()) {
          out.println("Caught up: every acknowledged event is accounted for in PostgreSQL.");
          return;
        }
      } else {
        caughtUpSince = 0;
      }
      if (now - lastReport > Duration.ofSeconds(5).toNanos()) {
        out.printf(
            "  waiting: processor accounted for %d of %d events; sink lag %s%n",
            accounted, acknowledged, lag < 0 ? "(not yet measured)" : Long.toString(lag));
        lastReport = now;
      }
      if (now > deadline) {
        throw new IllegalStateException(
            "not caught up within "
                + timeout
                + ": processor accounted for "
                + accounted
                + " of "
                + acknowledged
                + " events, sink lag "
                + lag);
      }
      Thread.sleep(POLL.toMillis());
    }
  }
}
