package dev.hourglass.bench;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --out DIR}: where a benchmark writes its JSON and PNG files. */
final class BenchOutput {
  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "bench-results",
      description = "Directory for the JSON results and PNG charts (default ${DEFAULT-VALUE}).")
  Path out;

  Path directory() {
    return out;
  }
}
