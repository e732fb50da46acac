package dev.hourglass.cli;

import dev.hourglass.avro.AvroSerdes;
import dev.hourglass.avro.BadRecordException;
import dev.hourglass.avro.JsonView;
import dev.hourglass.config.Shared;
import dev.hourglass.config.Values;
import dev.hourglass.rollups.Alert;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "alerts",
    mixinStandardHelpOptions = true,
    description = "Alerts on the alerts topic.",
    subcommands = {AlertsCommand.Tail.class})
final class AlertsCommand {

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
      String topic = v.getString(Shared.TOPIC_PREFIX) + "alerts";
      Deserializer<Alert> avro = AvroSerdes.serde(Alert.class).deserializer();
      Map<String, Object> props =
          Map.of(
              ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
              v.getString(Shared.BOOTSTRAP_SERVERS),
              // A throwaway group: tailing never moves anyone else's position.
              ConsumerConfig.GROUP_ID_CONFIG,
              "hourglass-alerts-tail-" + UUID.randomUUID(),
              ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
              fromBeginning ? "earliest" : "latest",
              // Alerts of aborted transactions never happened.
              ConsumerConfig.ISOLATION_LEVEL_CONFIG,
              "read_committed",
              ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
              false);
      long shown = 0;
      try (KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of(topic));
        while (max == 0 || shown < max) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            System.out.println(render(topic, r.value(), avro));
            shown++;
            if (max > 0 && shown >= max) {
              break;
            }
          }
        }
      }
      return 0;
    }

    private String render(String topic, byte[] value, Deserializer<Alert> avro) {
      if (value != null && value.length > 0 && value[0] == '{') {
        String text = new String(value, StandardCharsets.UTF_8);
        return json ? text : "(json) " + text;
      }
      try {
        Alert alert = avro.deserialize(topic, value);
        return json ? JsonView.toJson(alert) : AlertLine.of(alert);
      } catch (BadRecordException e) {
        return "(unreadable alert: " + e.getMessage() + ")";
      }
    }
  }
}
