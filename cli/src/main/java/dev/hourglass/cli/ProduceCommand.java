package dev.hourglass.cli;

import dev.hourglass.config.Shared;
import dev.hourglass.config.Values;
import dev.hourglass.loadgen.LoadGenerator;
import dev.hourglass.loadgen.LoadSummary;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    description =
        "Sends synthetic task, agent and integration events (reproducible from --seed), with"
            + " optional injected faults, and writes the ledger of acknowledged sends.")
final class ProduceCommand implements Callable<Integer> {
  @Mixin ConfigOption config;
  @Mixin LoadOptions load;

  @Override
  public Integer call() {
    Values v = config.settings().read(Shared.KAFKA);
    LoadSummary summary =
        new LoadGenerator(
                load.toOptions(
                    v.getString(Shared.BOOTSTRAP_SERVERS), v.getString(Shared.TOPIC_PREFIX)),
                v.passThrough(Shared.KAFKA_CLIENT_PREFIX))
            .run(System.out);
    return summary.failed() == 0 ? 0 : Hourglass.FAILED;
  }
}
