package dev.hourglass.loadgen;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The result of a load generator run.
 *
 * @param planned sends planned (events, or rate * duration)
 * @param sent sends handed to the producer
 * @param acknowledged sends acknowledged by Kafka (one ledger line each)
 * @param failed sends that failed (one line each in the failed ledger)
 * @param elapsed from the first send until the last acknowledgement or failure
 * @param p50Millis median send latency, send call to acknowledgement
 * @param p99Millis 99th percentile send latency
 * @param injected planned sends of each kind: none, late, out_of_order, invalid, poison, duplicate,
 *     misrouted
 */
public record LoadSummary(
    long planned,
    long sent,
    long acknowledged,
    long failed,
    Duration elapsed,
    double p50Millis,
    double p99Millis,
    Map<String, Long> injected) {

  public LoadSummary {
    injected = Map.copyOf(injected);
  }

  /** Acknowledged sends per second of elapsed time. */
  public double eventsPerSecond() {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds > 0 ? acknowledged / seconds : 0;
  }

  /** One line: sent, acknowledged, failed, events/s, p50/p99 send latency. */
  public String describe() {
    return String.format(
        Locale.ROOT,
        "sent %d, acknowledged %d, failed %d, %.0f events/s over %.1f s,"
            + " send latency p50 %.1f ms p99 %.1f ms; injected %s",
        sent,
        acknowledged,
        failed,
        eventsPerSecond(),
        elapsed.toNanos() / 1e9,
        p50Millis,
        p99Millis,
        new java.util.TreeMap<>(injected));
  }
}
