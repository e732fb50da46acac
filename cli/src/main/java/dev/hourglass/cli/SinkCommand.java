package dev.hourglass.cli;

import dev.hourglass.sink.SinkApp;
import dev.hourglass.sink.SinkConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "sink",
    mixinStandardHelpOptions = true,
    description =
        "Runs the sink (sink.* settings) until stopped. Several instances with the same"
            + " sink.group.id share the partitions; offsets live in PostgreSQL.")
final class SinkCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() throws InterruptedException {
    SinkApp.run(SinkConfig.from(config.settings().read(SinkConfig.DECLARATIONS)));
    return 0;
  }
}
