package dev.hourglass.bench;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code -c FILE}: the configuration file every command takes, read before the {@code HOURGLASS_*}
 * environment. Declared once for the CLI's commands and the benchmarks' (this is the lowest module
 * with commands; the CLI reads the file, see {@link BenchCommand}).
 */
public final class ConfigOption {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description =
          "Properties file with configuration keys (see README, Configuration); HOURGLASS_*"
              + " environment variables override it.")
  private Path file;

  /** The file given, or null when none was. */
  public Path file() {
    return file;
  }
}
