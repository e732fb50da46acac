package dev.hourglass.cli;

import dev.hourglass.config.ConfigException;
import dev.hourglass.loadgen.LoadGeneratorOptions;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The load generator's options, shared by {@code produce} and {@code local}. */
final class LoadOptions {
  @Option(
      names = "--events",
      paramLabel = "N",
      defaultValue = "100000",
      description = "Events to send (default ${DEFAULT-VALUE}); ignored with --duration.")
  long events;

  @Option(
      names = "--rate",
      paramLabel = "R",
      defaultValue = "0",
      description = "Events per second, paced precisely; 0 = as fast as possible (default).")
  double rate;

  @Option(
      names = "--duration",
      paramLabel = "D",
      description = "With --rate: send for this long (e.g. 30s, 5m) instead of --events.")
  Duration duration;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Random seed; the same seed gives the same events (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--orgs",
      defaultValue = "20",
      description = "Organizations (default ${DEFAULT-VALUE}).")
  int orgs;

  @Option(
      names = "--concurrency",
      paramLabel = "C",
      defaultValue = "2",
      description = "Sending threads (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--late-fraction",
      defaultValue = "0",
      description = "Share of events later than the grace period (become corrections).")
  double late;

  @Option(
      names = "--out-of-order-fraction",
      defaultValue = "0",
      description = "Share of events out of order within the grace period.")
  double outOfOrder;

  @Option(
      names = "--invalid-fraction",
      defaultValue = "0",
      description = "Share of events that decode but fail validation (dead-lettered).")
  double invalid;

  @Option(
      names = "--poison-fraction",
      defaultValue = "0",
      description = "Share of records that are not events at all (dead-lettered).")
  double poison;

  @Option(
      names = "--duplicate-fraction",
      defaultValue = "0",
      description = "Share of events sent again with the same event_id (suppressed).")
  double duplicate;

  @Option(
      names = "--misroute-fraction",
      defaultValue = "0",
      description =
          "Share of valid events sent to a partition not their key's (re-routed, counted once).")
  double misroute;

  @Option(
      names = "--grace",
      defaultValue = "PT10M",
      description = "The processor's grace period, to place late events (default 10 minutes).")
  Duration grace;

  @Option(
      names = "--ledger",
      paramLabel = "FILE",
      description = "JSON lines of every acknowledged send (failed sends: FILE.failed).")
  Path ledger;

  LoadGeneratorOptions toOptions(String bootstrapServers, String topicPrefix) {
    return toOptions(bootstrapServers, topicPrefix, ledger);
  }

  /** The options, writing the ledger to {@code ledger} (and failed sends to ledger.failed). */
  LoadGeneratorOptions toOptions(String bootstrapServers, String topicPrefix, Path ledger) {
    try {
      return options(bootstrapServers, topicPrefix, ledger);
    } catch (IllegalArgumentException e) {
      // The options' constructor names every bad option at once: a usage error, not a bug.
      throw new ConfigException(e.getMessage());
    }
  }

  private LoadGeneratorOptions options(String bootstrapServers, String topicPrefix, Path ledger) {
    return new LoadGeneratorOptions(
        bootstrapServers,
        topicPrefix,
        duration == null ? events : 0,
        rate,
        duration,
        seed,
        orgs,
        concurrency,
        late,
        outOfOrder,
        invalid,
        poison,
        duplicate,
        misroute,
        ledger,
        ledger == null ? null : Path.of(ledger + ".failed"),
        grace,
        LoadGeneratorOptions.MIN_EVENT_SPAN,
        null);
  }
}
