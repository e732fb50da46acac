package dev.hourglass.loadgen;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the load generator sends, validated when built: every bad value is reported at once, each as
 * {@code Invalid value X for configuration --option: why}.
 *
 * @param bootstrapServers Kafka to send to ({@code --bootstrap-servers})
 * @param topicPrefix stands before the topic names ({@code --topic-prefix}, default {@code
 *     hourglass.})
 * @param events how many sends ({@code --events}); 0 when {@code duration} decides
 * @param rate sends per second, paced on {@code System.nanoTime()}; 0 = as fast as possible
 * @param duration with a rate, sends {@code rate * duration} events; null when {@code events}
 *     decides
 * @param seed the random seed: the same seed and settings give the same events, byte for byte
 * @param orgs how many organizations
 * @param concurrency how many threads send (the order of sends may differ between runs when more
 *     than 1, the events sent do not)
 * @param lateFraction share of sends moved back more than grace + 1 hour (windows closed)
 * @param outOfOrderFraction share moved back less than grace / 2 (windows still open)
 * @param invalidFraction share that decode but fail validation, sent with validation bypassed
 * @param poisonFraction share that are bytes that are not an event
 * @param duplicateFraction share that re-send an earlier event (same event_id, same bytes)
 * @param misrouteFraction share of valid events sent to a partition other than their key's (as a
 *     client with another partitioner would); the topics then need at least 2 partitions
 * @param ledger the JSON-lines file of acknowledged sends, or null
 * @param failedLedger the JSON-lines file of failed sends, or null
 * @param grace the processor's grace period (default 10 minutes); must match it
 * @param eventSpan how much event time the events cover (default and minimum 6 hours)
 * @param eventTimeEnd where event time ends; null = the time the run starts (never in the future)
 */
public record LoadGeneratorOptions(
    String bootstrapServers,
    String topicPrefix,
    long events,
    double rate,
    Duration duration,
    long seed,
    int orgs,
    int concurrency,
    double lateFraction,
    double outOfOrderFraction,
    double invalidFraction,
    double poisonFraction,
    double duplicateFraction,
    double misrouteFraction,
    Path ledger,
    Path failedLedger,
    Duration grace,
    Duration eventSpan,
    Instant eventTimeEnd) {

  public static final long MAX_EVENTS = 200_000_000L;
  public static final Duration DEFAULT_GRACE = Duration.ofMinutes(10);
  public static final Duration MIN_EVENT_SPAN = Duration.ofHours(6);
  public static final int DEFAULT_ORGS = 20;

  public LoadGeneratorOptions {
    List<String> problems = new ArrayList<>();
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      problems.add(invalid(bootstrapServers, "--bootstrap-servers", "required, host:port[,...]"));
    }
    if (topicPrefix == null || !topicPrefix.matches("[A-Za-z0-9._-]{0,200}")) {
      problems.add(
          invalid(topicPrefix, "--topic-prefix", "must be at most 200 of A-Z a-z 0-9 . _ -"));
    }
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      problems.add(invalid(rate, "--rate", "must be 0 (as fast as possible) or more"));
    }
    if (duration != null) {
      if (events != 0) {
        problems.add(invalid(duration, "--duration", "give --events or --duration, not both"));
      } else if (duration.isNegative() || duration.isZero()) {
        problems.add(invalid(duration, "--duration", "must be positive"));
      } else if (!(rate > 0)) {
        problems.add(
            invalid(duration, "--duration", "needs --rate above 0 to fix the number of events"));
      } else if (rate * duration.toMillis() / 1000.0 > MAX_EVENTS) {
        problems.add(
            invalid(duration, "--duration", "rate * duration must be at most " + MAX_EVENTS));
      } else if (Math.round(rate * duration.toMillis() / 1000.0) < 1) {
        problems.add(invalid(duration, "--duration", "rate * duration must be at least 1 event"));
      }
    } else if (events < 1 || events > MAX_EVENTS) {
      problems.add(invalid(events, "--events", "must be between 1 and " + MAX_EVENTS));
    }
    if (orgs < 1 || orgs > 100_000) {
      problems.add(invalid(orgs, "--orgs", "must be between 1 and 100000"));
    }
    if (concurrency < 1 || concurrency > 256) {
      problems.add(invalid(concurrency, "--concurrency", "must be between 1 and 256"));
    }
    fraction(problems, lateFraction, "--late-fraction");
    fraction(problems, outOfOrderFraction, "--out-of-order-fraction");
    fraction(problems, invalidFraction, "--invalid-fraction");
    fraction(problems, poisonFraction, "--poison-fraction");
    fraction(problems, duplicateFraction, "--duplicate-fraction");
    fraction(problems, misrouteFraction, "--misroute-fraction");
    double sum =
        lateFraction
            + outOfOrderFraction
            + invalidFraction
            + poisonFraction
            + duplicateFraction
            + misrouteFraction;
    if (sum > 1) {
      problems.add(
          invalid(
              sum,
              "fault fractions",
              "--late-fraction + --out-of-order-fraction + --invalid-fraction + --poison-fraction"
                  + " + --duplicate-fraction + --misroute-fraction must be at most 1"));
    }
    if (ledger != null && ledger.equals(failedLedger)) {
      problems.add(invalid(failedLedger, "--failed-ledger", "must differ from --ledger"));
    }
    if (grace == null || grace.isNegative() || grace.compareTo(Duration.ofDays(1)) > 0) {
      problems.add(invalid(grace, "--grace", "must be between PT0S and P1D"));
    }
    if (eventSpan == null
        || eventSpan.compareTo(MIN_EVENT_SPAN) < 0
        || eventSpan.compareTo(Duration.ofDays(365)) > 0) {
      problems.add(invalid(eventSpan, "--event-span", "must be between PT6H and P365D"));
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  private static void fraction(List<String> problems, double value, String option) {
    if (!(value >= 0 && value <= 1)) {
      problems.add(invalid(value, option, "must be between 0 and 1"));
    }
  }

  private static String invalid(Object value, String option, String why) {
    return "Invalid value " + value + " for configuration " + option + ": " + why;
  }

  /** How many sends the run makes: {@code events}, or {@code round(rate * duration)}. */
  public long totalEvents() {
    return duration == null ? events : Math.round(rate * duration.toMillis() / 1000.0);
  }

  Map<Injected, Double> fractions() {
    Map<Injected, Double> f = new EnumMap<>(Injected.class);
    f.put(Injected.LATE, lateFraction);
    f.put(Injected.OUT_OF_ORDER, outOfOrderFraction);
    f.put(Injected.INVALID, invalidFraction);
    f.put(Injected.POISON, poisonFraction);
    f.put(Injected.DUPLICATE, duplicateFraction);
    f.put(Injected.MISROUTED, misrouteFraction);
    return f;
  }

  /** The options a run starting at {@code now} uses: {@code eventTimeEnd} fixed. */
  LoadGeneratorOptions endingAt(Instant end) {
    return new LoadGeneratorOptions(
        bootstrapServers,
        topicPrefix,
        events,
        rate,
        duration,
        seed,
        orgs,
        concurrency,
        lateFraction,
        outOfOrderFraction,
        invalidFraction,
        poisonFraction,
        duplicateFraction,
        misrouteFraction,
        ledger,
        failedLedger,
        grace,
        eventSpan,
        end);
  }
}
