package dev.hourglass.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}: a properties file read before the HOURGLASS_* environment. */
final class ConfigOption {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description =
          "Properties file with configuration keys (see README, Configuration); HOURGLASS_*"
              + " environment variables override it.")
  Path file;

  Settings settings() {
    return Settings.load(file);
  }
}
