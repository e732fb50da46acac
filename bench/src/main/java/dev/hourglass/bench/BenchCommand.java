package dev.hourglass.bench;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;
import picocli.CommandLine.Command;

/**
 * {@code hourglass bench ...}: the benchmarks, each against a reference measured in the same run.
 * The CLI registers it as a subcommand and says how a {@code -c FILE} becomes the components'
 * settings.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Benchmarks on embedded Kafka and PostgreSQL. Each prints a table, writes"
            + " <name>.json and PNG charts into --out, and reports ratios against a reference"
            + " measured in the same run.",
    subcommands = {
      BenchPipelineCommand.class,
      BenchSinkCommand.class,
      BenchQueryCommand.class,
      BenchEosCommand.class,
      BenchPeersCommand.class,
      BenchFindingsCommand.class
    })
public final class BenchCommand {
  private final Function<Path, ComponentSettings> settings;

  /**
   * @param settings reads the configuration file given with {@code -c} (null when none) and the
   *     environment, as the CLI does for production
   */
  public BenchCommand(Function<Path, ComponentSettings> settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  ComponentSettings settings(Path file) {
    return settings.apply(file);
  }
}
