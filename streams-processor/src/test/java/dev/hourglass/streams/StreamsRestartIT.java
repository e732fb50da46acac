package dev.hourglass.streams;

import static org.awaitility.Awaitility.await;

import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A processor stopped and started again is processing within seconds, not after the 45 s session
 * timeout of its previous incarnation (Kafka's default {@code session.timeout.ms}), with the
 * classic rebalance protocol and with Kafka Streams' own (KIP-1071, {@code
 * group.protocol=streams}).
 */
@HourglassIT
class StreamsRestartIT {
  private static final Logger LOG = LoggerFactory.getLogger(StreamsRestartIT.class);

  /** Well below the 45 s a restarted instance would wait for its predecessor's session. */
  private static final Duration RESTARTED_WITHIN = Duration.ofSeconds(25);

  @Test
  void shouldRunAgainWithoutWaitingForTheSessionTimeoutAfterAGracefulRestart(
      TestKafka kafka, @TempDir Path state) {
    restartTwice(kafka, settings(kafka, state));
  }

  @Test
  void shouldRunAgainAtOnceWithTheStreamsRebalanceProtocol(TestKafka kafka, @TempDir Path state) {
    Map<String, String> settings = settings(kafka, state);
    settings.put("streams.kafka.group.protocol", "streams");
    restartTwice(kafka, settings);
  }

  @Test
  void shouldRunAgainAtOnceAsAStaticMember(TestKafka kafka, @TempDir Path state) {
    Map<String, String> settings = settings(kafka, state);
    settings.put("streams.kafka.group.instance.id", "streams-a");
    restartTwice(kafka, settings);
  }

  private static Map<String, String> settings(TestKafka kafka, Path state) {
    kafka.createTopics(3, Topics.BASES.toArray(String[]::new));
    Map<String, String> s = new HashMap<>();
    s.put(ProcessorConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    s.put(ProcessorConfig.APPLICATION_ID, kafka.topic("app"));
    s.put(ProcessorConfig.TOPIC_PREFIX, kafka.topic(""));
    s.put(ProcessorConfig.STATE_DIR, state.toString());
    return s;
  }

  private static void restartTwice(TestKafka kafka, Map<String, String> settings) {
    ProcessorConfig config = ProcessorConfig.from(settings);
    for (int run = 1; run <= 3; run++) {
      long started = System.nanoTime();
      try (StreamsProcessorApp app = StreamsProcessorApp.start(config)) {
        await()
            .atMost(RESTARTED_WITHIN)
            .pollInterval(Duration.ofMillis(100))
            .until(() -> app.state() == KafkaStreams.State.RUNNING);
        LOG.info(
            "{} run {}: RUNNING {} ms after start",
            config.kafkaOverrides(),
            run,
            (System.nanoTime() - started) / 1_000_000);
      }
    }
  }
}
