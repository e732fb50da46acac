package dev.hourglass.bench;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --embedded-durability}: benchmarks run PostgreSQL with production durability (issue 18:
 * users run with it, and figures without it flatter the database's share); the option runs the
 * embedded server's defaults instead ({@code fsync} and {@code synchronous_commit} off), for a
 * comparison only. {@code --postgres-setting} adds any other server setting, to measure its effect
 * (for example {@code max_wal_size}).
 */
final class PostgresDurability {
  /** Production durability: the embedded server's defaults turn the first two off. */
  static final Map<String, String> DURABLE =
      Map.of("fsync", "on", "synchronous_commit", "on", "full_page_writes", "on");

  @Option(
      names = "--embedded-durability",
      description =
          "Run PostgreSQL with the embedded defaults (fsync=off, synchronous_commit=off) instead"
              + " of production durability (fsync, synchronous_commit and full_page_writes on,"
              + " the default), to compare: such figures flatter the database's share.")
  boolean embedded;

  @Option(
      names = "--postgres-setting",
      paramLabel = "KEY=VALUE",
      description =
          "A PostgreSQL server setting added to the others, e.g. max_wal_size=8GB; repeatable."
              + " Printed with the durability and kept in the JSON.")
  Map<String, String> extra = new LinkedHashMap<>();

  /** The server settings to add to the embedded defaults. */
  Map<String, String> serverSettings() {
    Map<String, String> settings = new LinkedHashMap<>(embedded ? Map.of() : DURABLE);
    settings.putAll(extra);
    return settings;
  }

  /** How PostgreSQL ran, for the output and the JSON's {@code postgres_durability}. */
  String describe() {
    return (embedded
            ? "embedded defaults: fsync=off, synchronous_commit=off (not production durability)"
            : "production: fsync=on, synchronous_commit=on, full_page_writes=on")
        + (extra.isEmpty() ? "" : "; also " + extra);
  }

  /** Says how PostgreSQL runs, before the run starts. */
  void announce(PrintStream out) {
    out.println("PostgreSQL durability: " + describe());
  }

  /** Adds the durability to a report's figures. */
  void record(BenchReport report) {
    report.figure("postgres_durability", describe());
  }
}
