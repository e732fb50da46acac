package dev.hourglass.cli;

import dev.hourglass.config.Shared;
import dev.hourglass.sink.SinkApp;
import dev.hourglass.sink.SinkConfig;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "sink",
    mixinStandardHelpOptions = true,
    description =
        "Runs the sink (sink.* settings) until stopped. Several instances with the same"
            + " sink.group.id share the partitions; offsets live in PostgreSQL. Serves /metrics,"
            + " /health/live and /health/ready on metrics.port.")
final class SinkCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Override
  public Integer call() throws InterruptedException {
    Settings settings = config.settings();
    SinkConfig sink = SinkConfig.from(settings.read(SinkConfig.DECLARATIONS));
    int port = settings.read(Shared.METRICS).getInt(Shared.METRICS_PORT);
    try (Meters meters = new Meters()) {
      // Closed by SinkApp.run, on its way out or by the shutdown hook.
      SinkApp app = new SinkApp(sink, meters.registry());
      var server =
          MetricsServer.start(
              "0.0.0.0",
              port,
              meters.registry(),
              List.of(new MetricsServer.Probe("sink", app::live, app::ready)));
      try {
        SinkApp.run(app);
      } finally {
        server.ifPresent(MetricsServer::close);
      }
    }
    return 0;
  }
}
