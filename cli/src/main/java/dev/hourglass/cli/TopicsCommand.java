package dev.hourglass.cli;

import dev.hourglass.admin.ProvisionResult;
import dev.hourglass.admin.TopicProvisioner;
import dev.hourglass.admin.TopicSettings;
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
  @Mixin ConfigOption config;

  @Override
  public Integer call() {
    Settings s = config.settings();
    ProvisionResult result =
        TopicProvisioner.provision(s.require("bootstrap.servers"), TopicSettings.from(s.topics()));
    System.out.println(result.message());
    return result.matches() ? 0 : Hourglass.FAILED;
  }
}
