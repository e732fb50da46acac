package dev.hourglass.cli;

import dev.hourglass.admin.ProvisionResult;
import dev.hourglass.admin.TopicProvisioner;
import dev.hourglass.admin.TopicSettings;
import dev.hourglass.config.Declarations;
import dev.hourglass.config.Shared;
import dev.hourglass.config.Values;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    description =
        "Creates the pipeline's topics (topics.* settings); an existing topic is never changed,"
            + " and any difference from the settings is reported (exit 1).")
final class TopicsCommand implements Callable<Integer> {
  /** The topics' keys and the brokers to create them on. */
  static final Declarations DECLARATIONS =
      Declarations.union(Shared.KAFKA, TopicSettings.DECLARATIONS);

  @Mixin ConfigOption config;

  @Override
  public Integer call() {
    Values v = config.settings().read(DECLARATIONS);
    ProvisionResult result =
        TopicProvisioner.provision(Shared.kafkaClient(v), TopicSettings.from(v));
    System.out.println(result.message());
    return result.matches() ? 0 : Hourglass.FAILED;
  }
}
