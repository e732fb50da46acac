package dev.hourglass.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hourglass.avro.RecordFormat;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.events.TaskEventKind;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.junit.jupiter.api.Test;

class WindowedRollupsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RecordFormat FORMAT = SingleObjectFormat.standard();
  private static final Topics TOPICS = Topics.withPrefix("t.");
  private static final String ORG = "0f8b1f5e-3c1a-4d2b-9e7f-1a2b3c4d5e6f";
  private static final String PROJECT = "11111111-2222-4333-8444-555555555555";
  private static final Instant HOUR =
      Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(5));

  @Test
  void shouldWriteEveryUpdateAndDropAnEventWhoseHourHasClosed() throws IOException {
    try (TopologyTestDriver driver = driver(false)) {
      TestInputTopic<String, byte[]> in = input(driver);
      in.pipeInput(ORG, FORMAT.encode(task(1, HOUR.plusSeconds(60), TaskEventKind.CREATED)));
      in.pipeInput(ORG, FORMAT.encode(task(2, HOUR.plusSeconds(120), TaskEventKind.COMPLETED)));
      in.pipeInput(
          ORG, FORMAT.encode(task(3, HOUR.plus(Duration.ofHours(2)), TaskEventKind.CREATED)));
      // Its hour ended more than the 10 minutes of grace before stream time: dropped.
      in.pipeInput(ORG, FORMAT.encode(task(4, HOUR.plusSeconds(300), TaskEventKind.FAILED)));

      List<KeyValue<String, String>> rows = output(driver);
      assertThat(rows).hasSize(3);
      JsonNode first = JSON.readTree(rows.get(1).value).get("payload");
      assertThat(windowStart(rows.get(1))).isEqualTo(HOUR.toEpochMilli());
      assertThat(first.get("event_count").asLong()).isEqualTo(2);
      assertThat(first.get("created_count").asLong()).isEqualTo(1);
      assertThat(first.get("completed_count").asLong()).isEqualTo(1);
      assertThat(first.get("failed_count").asLong()).isZero();
      JsonNode key = JSON.readTree(rows.get(1).key).get("payload");
      assertThat(key.get("organization_id").asText()).isEqualTo(ORG);
      assertThat(key.get("project_id").asText()).isEqualTo(PROJECT);
    }
  }

  @Test
  void shouldWriteAnHourOnceWhenStreamTimePassesItsEndPlusGraceWithSuppress() throws IOException {
    try (TopologyTestDriver driver = driver(true)) {
      TestInputTopic<String, byte[]> in = input(driver);
      in.pipeInput(ORG, FORMAT.encode(task(1, HOUR.plusSeconds(60), TaskEventKind.CREATED)));
      in.pipeInput(ORG, FORMAT.encode(task(2, HOUR.plusSeconds(120), TaskEventKind.COMPLETED)));
      assertThat(output(driver)).isEmpty();

      in.pipeInput(
          ORG, FORMAT.encode(task(3, HOUR.plus(Duration.ofMinutes(71)), TaskEventKind.CREATED)));

      List<KeyValue<String, String>> rows = output(driver);
      assertThat(rows).hasSize(1);
      assertThat(windowStart(rows.get(0))).isEqualTo(HOUR.toEpochMilli());
      assertThat(JSON.readTree(rows.get(0).value).get("payload").get("event_count").asLong())
          .isEqualTo(2);
    }
  }

  @Test
  void shouldSkipARecordThatIsNotAnEvent() throws IOException {
    try (TopologyTestDriver driver = driver(false)) {
      TestInputTopic<String, byte[]> in = input(driver);
      in.pipeInput(ORG, new byte[] {1, 2, 3});
      in.pipeInput(ORG, FORMAT.encode(task(1, HOUR.plusSeconds(60), TaskEventKind.CREATED)));

      List<KeyValue<String, String>> rows = output(driver);
      assertThat(rows).hasSize(1);
      assertThat(JSON.readTree(rows.get(0).value).get("payload").get("event_count").asLong())
          .isEqualTo(1);
    }
  }

  private static TopologyTestDriver driver(boolean suppress) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "peers-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class.getName());
    return new TopologyTestDriver(
        WindowedRollups.build(TOPICS, Duration.ofMinutes(10), suppress, f -> "out-" + f.id()), p);
  }

  private static TestInputTopic<String, byte[]> input(TopologyTestDriver driver) {
    return driver.createInputTopic(
        TOPICS.events(Family.TASK).name(), new StringSerializer(), new ByteArraySerializer());
  }

  private static List<KeyValue<String, String>> output(TopologyTestDriver driver) {
    return driver
        .createOutputTopic("out-task", new StringDeserializer(), new StringDeserializer())
        .readKeyValuesToList();
  }

  private static long windowStart(KeyValue<String, String> row) throws IOException {
    return JSON.readTree(row.key).get("payload").get("window_start").asLong();
  }

  private static TaskEvent task(int n, Instant at, TaskEventKind kind) {
    return TaskEvent.newBuilder()
        .setEventId(String.format("00000000-0000-4000-8000-%012d", n))
        .setOccurredAt(at)
        .setOrganizationId(ORG)
        .setProjectId(PROJECT)
        .setTaskId("21111111-2222-4333-8444-555555555555")
        .setKind(kind)
        .setPriority(2)
        .build();
  }
}
