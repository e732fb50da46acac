package dev.hourglass.cli;

import dev.hourglass.streams.ProcessorConfig;
import dev.hourglass.streams.StreamsProcessorApp;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "streams",
    mixinStandardHelpOptions = true,
    description =
        "Runs the streams processor (streams.* settings) until stopped. Several instances with"
            + " the same streams.application.id share the work.")
final class StreamsCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() {
    StreamsProcessorApp.run(
        ProcessorConfig.from(config.settings().read(ProcessorConfig.DECLARATIONS)));
    return 0;
  }
}
