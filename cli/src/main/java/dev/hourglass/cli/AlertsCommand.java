package dev.hourglass.cli;

import dev.hourglass.avro.BadRecordException;
import dev.hourglass.avro.JsonView;
import dev.hourglass.config.Shared;
import dev.hourglass.config.Values;
import dev.hourglass.contract.AlertsFormat;
import dev.hourglass.contract.Topics;
import dev.hourglass.forwarder.AlertsForwarderApp;
import dev.hourglass.forwarder.ForwarderConfig;
import dev.hourglass.rollups.Alert;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "alerts",
    mixinStandardHelpOptions = true,
    description = "Alerts on the alerts topic.",
    subcommands = {AlertsCommand.Tail.class, AlertsCommand.Forward.class})
final class AlertsCommand {

  @Command(
      name = "forward",
      mixinStandardHelpOptions = true,
      description =
          "Forwards alerts to Prometheus Alertmanager (forwarder.* settings) until stopped:"
              + " FIRING and RESOLVED as they arrive, firing ones again every"
              + " forwarder.resend.interval.ms; offsets are committed once Alertmanager accepted.")
  static final class Forward implements Callable<Integer> {
    @Mixin ConfigOption config;

    @Override
    public Integer call() throws InterruptedException {
      AlertsForwarderApp.run(
          ForwarderConfig.from(config.settings().read(ForwarderConfig.DECLARATIONS)));
      return 0;
    }
  }

  @Command(
      name = "tail",
      mixinStandardHelpOptions = true,
      description =
          "Prints alerts as they arrive (committed ones only), one per line; --json for one JSON"
              + " object per line.")
  static final class Tail implements Callable<Integer> {
    @Mixin ConfigOption config;

    @Option(names = "--json", description = "One JSON object per line.")
    boolean json;

    @Option(
        names = "--from-beginning",
        description = "Start at the oldest alert instead of new ones.")
    boolean fromBeginning;

    @Option(
        names = "--max",
        paramLabel = "N",
        defaultValue = "0",
        description = "Stop after N alerts (0 = run until Ctrl-C).")
    long max;

    @Override
    public Integer call() {
      Values v = config.settings().read(Shared.KAFKA);
      String topic = Topics.withPrefix(v.getString(Shared.TOPIC_PREFIX)).alerts().name();
      // Brokers and security (kafka.*), then the tail's own settings.
      Map<String, Object> props = new HashMap<>(Shared.kafkaClient(v));
      props.putAll(
          Map.of(
              // A throwaway group: tailing never moves anyone else's position.
              ConsumerConfig.GROUP_ID_CONFIG,
              "hourglass-alerts-tail-" + UUID.randomUUID(),
              ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
              fromBeginning ? "earliest" : "latest",
              // Alerts of aborted transactions never happened.
              ConsumerConfig.ISOLATION_LEVEL_CONFIG,
              "read_committed",
              ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
              false));
      long shown = 0;
      try (KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of(topic));
        while (max == 0 || shown < max) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            System.out.println(render(topic, r.value()));
            shown++;
            if (max > 0 && shown >= max) {
              break;
            }
          }
        }
      }
      return 0;
    }

    /**
     * One line per alert, whichever format the processor writes ({@code streams.alerts.format}).
     */
    private String render(String topic, byte[] value) {
      try {
        Alert alert = AlertsFormat.decode(topic, value);
        return json ? JsonView.toJson(alert) : AlertLine.of(alert);
      } catch (BadRecordException e) {
        return "(unreadable alert: " + e.getMessage() + ")";
      }
    }
  }
}
