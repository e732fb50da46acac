package dev.hourglass.bench;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}: the components' settings, as {@code hourglass streams} and sink take. */
final class ConfigOption {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description =
          "Properties file with configuration keys (see README, Configuration); HOURGLASS_*"
              + " environment variables override it.")
  Path file;
}
