package dev.hourglass.producer;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
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
    double sum =
        lateFraction + outOfOrderFraction + invalidFraction + poisonFraction + duplicateFraction;
    if (sum > 1) {
      problems.add(
          invalid(
              sum,
              "fault fractions",
              "--late-fraction + --out-of-order-fraction + --invalid-fraction + --poison-fraction"
                  + " + --duplicate-fraction must be at most 1"));
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
        ledger,
        failedLedger,
        grace,
        eventSpan,
        end);
  }

  /**
   * Options from command-line arguments, {@code --name value} or {@code --name=value}. Defaults:
   * events 100000 (unless --duration), rate 0, seed 1, orgs 20, concurrency 1, fractions 0, grace
   * PT10M, event span PT6H, topic prefix {@code hourglass.}; {@code --failed-ledger} defaults to
   * the ledger's path with {@code .failed} appended.
   *
   * @throws IllegalArgumentException naming every bad option at once
   */
  public static LoadGeneratorOptions parse(String... args) {
    Map<String, String> given = new java.util.LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        problems.add(invalid(arg, "arguments", "expected --option value"));
        continue;
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      String value;
      if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        problems.add(invalid(null, name, "needs a value"));
        continue;
      }
      if (!OPTIONS.contains(name)) {
        problems.add(
            invalid(value, name, "unknown option (known: " + String.join(" ", OPTIONS) + ")"));
        continue;
      }
      given.put(name, value);
    }
    Reader r = new Reader(given, problems);
    Duration duration = r.duration("--duration", null);
    long events = r.number("--events", duration == null ? 100_000 : 0);
    String ledgerText = given.get("--ledger");
    Path ledger = ledgerText == null ? null : Path.of(ledgerText);
    String failedText = given.get("--failed-ledger");
    Path failed =
        failedText != null
            ? Path.of(failedText)
            : ledger == null ? null : Path.of(ledgerText + ".failed");
    LoadGeneratorOptions options = null;
    try {
      options =
          new LoadGeneratorOptions(
              given.get("--bootstrap-servers"),
              given.getOrDefault("--topic-prefix", PublisherConfig.DEFAULT_TOPIC_PREFIX),
              events,
              r.decimal("--rate", 0),
              duration,
              r.number("--seed", 1),
              (int) r.number("--orgs", DEFAULT_ORGS),
              (int) r.number("--concurrency", 1),
              r.decimal("--late-fraction", 0),
              r.decimal("--out-of-order-fraction", 0),
              r.decimal("--invalid-fraction", 0),
              r.decimal("--poison-fraction", 0),
              r.decimal("--duplicate-fraction", 0),
              ledger,
              failed,
              r.duration("--grace", DEFAULT_GRACE),
              r.duration("--event-span", MIN_EVENT_SPAN),
              r.instant("--event-time-end"));
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return options;
  }

  static final List<String> OPTIONS =
      List.of(
          "--bootstrap-servers",
          "--topic-prefix",
          "--events",
          "--rate",
          "--duration",
          "--seed",
          "--orgs",
          "--concurrency",
          "--late-fraction",
          "--out-of-order-fraction",
          "--invalid-fraction",
          "--poison-fraction",
          "--duplicate-fraction",
          "--ledger",
          "--failed-ledger",
          "--grace",
          "--event-span",
          "--event-time-end");

  /** Parses option values; a value that does not parse is reported and its default used. */
  private static final class Reader {
    private final Map<String, String> given;
    private final List<String> problems;

    Reader(Map<String, String> given, List<String> problems) {
      this.given = given;
      this.problems = problems;
    }

    long number(String name, long fallback) {
      String text = given.get(name);
      if (text == null) {
        return fallback;
      }
      try {
        return Long.parseLong(text.trim());
      } catch (NumberFormatException e) {
        problems.add(invalid(text, name, "not an integer"));
        return fallback;
      }
    }

    double decimal(String name, double fallback) {
      String text = given.get(name);
      if (text == null) {
        return fallback;
      }
      try {
        return Double.parseDouble(text.trim());
      } catch (NumberFormatException e) {
        problems.add(invalid(text, name, "not a number"));
        return fallback;
      }
    }

    /** ISO-8601 ({@code PT10M}) or a number with a unit: {@code 500ms}, {@code 30s}, ... */
    Duration duration(String name, Duration fallback) {
      String text = given.get(name);
      if (text == null) {
        return fallback;
      }
      try {
        return parseDuration(text.trim());
      } catch (DateTimeParseException | NumberFormatException e) {
        problems.add(invalid(text, name, "not a duration (PT10M, 500ms, 30s, 10m, 6h, 1d)"));
        return fallback;
      }
    }

    Instant instant(String name) {
      String text = given.get(name);
      if (text == null) {
        return null;
      }
      try {
        return Instant.parse(text.trim());
      } catch (DateTimeParseException e) {
        problems.add(invalid(text, name, "not an ISO-8601 instant (2026-01-01T00:00:00Z)"));
        return null;
      }
    }
  }

  static Duration parseDuration(String text) {
    if (text.startsWith("P") || text.startsWith("p")) {
      return Duration.parse(text);
    }
    String[][] units = {
      {"ms", "1"}, {"s", "1000"}, {"m", "60000"}, {"h", "3600000"}, {"d", "86400000"}
    };
    for (String[] unit : units) {
      if (text.endsWith(unit[0])) {
        String number = text.substring(0, text.length() - unit[0].length());
        return Duration.ofMillis(Long.parseLong(number) * Long.parseLong(unit[1]));
      }
    }
    throw new NumberFormatException("no unit");
  }
}
