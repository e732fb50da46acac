package dev.hourglass.cli;

import picocli.CommandLine.Command;

/**
 * {@code hourglass bench ...}: the benchmarks, each against a reference measured in the same run.
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
      BenchEosCommand.class
    })
final class BenchCommand {}
