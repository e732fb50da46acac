package dev.hourglass.cli;

import dev.hourglass.config.Shared;
import dev.hourglass.streams.ProcessorConfig;
import dev.hourglass.streams.StreamsProcessorApp;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "streams",
    mixinStandardHelpOptions = true,
    description =
        "Runs the streams processor (streams.* settings) until stopped. Several instances with"
            + " the same streams.application.id share the work. Serves /metrics, /health/live and"
            + " /health/ready on metrics.port.")
final class StreamsCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() {
    Settings settings = config.settings();
    ProcessorConfig processor = ProcessorConfig.from(settings.read(ProcessorConfig.DECLARATIONS));
    int port = settings.read(Shared.METRICS).getInt(Shared.METRICS_PORT);
    AtomicReference<StreamsProcessorApp> app = new AtomicReference<>();
    MetricsServer.Probe probe =
        new MetricsServer.Probe(
            "streams",
            () -> app.get() != null && app.get().live(),
            () -> app.get() != null && app.get().ready());
    try (Meters meters = new Meters()) {
      var server = MetricsServer.start("0.0.0.0", port, meters.registry(), List.of(probe));
      try {
        StreamsProcessorApp.run(processor, meters.registry(), app::set);
      } finally {
        server.ifPresent(MetricsServer::close);
      }
    }
    return 0;
  }
}
