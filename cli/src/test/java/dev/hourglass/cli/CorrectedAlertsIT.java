package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.events.TaskEventKind;
import dev.hourglass.loadgen.StreamStats;
import dev.hourglass.schema.Migrator;
import dev.hourglass.sink.SinkApp;
import dev.hourglass.streams.StreamsProcessorApp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 through the whole pipeline (real broker, exactly-once processor, sink, PostgreSQL): late
 * events that take a closed hour over a threshold fire its alert, and late events that take a fired
 * hour under the clear threshold resolve it; the alerts table then agrees with the rollups plus
 * corrections, with one FIRING per (rule, key, hour) and the books balanced.
 */
@HourglassIT
class CorrectedAlertsIT {
  private static final String ORG = "2d9f4a6b-5e3c-4a1d-9b82-3c4d5e6f7a81";
  private static final String PROJECT = "2d9f4a6b-5e3c-4a1d-9b82-3c4d5e6f7a82";
  private static final String AGENT = "2d9f4a6b-5e3c-4a1d-9b82-3c4d5e6f7a83";
  private static final SingleObjectFormat FORMAT = SingleObjectFormat.standard();
  private static final long QUARTER_HOUR_MS = Duration.ofMinutes(15).toMillis();

  private final AtomicInteger ids = new AtomicInteger();

  @Test
  void shouldFireAndResolveAlertsOnCorrectionsIntoPostgres(
      TestKafka kafka, TestDatabase db, @TempDir Path dir) throws Exception {
    Migrator.forUrl(db.jdbcUrl(), db.user(), db.password()).migrate();
    kafka.createTopics(1, Topics.BASES.toArray(String[]::new));
    Topics topics = Topics.withPrefix(kafka.topic(""));
    // Recent hours: the validator refuses events far from the wall clock.
    Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3));
    Instant next = hour.plus(Duration.ofHours(1));

    List<SpecificRecord> events = new ArrayList<>();
    // Tasks: 15 failures close the hour under task_failure_spike's 20; 6 late ones make it 21.
    for (int i = 0; i < 15; i++) {
      events.add(task(hour.plusSeconds(60L * i), TaskEventKind.FAILED));
    }
    events.add(task(next.plus(Duration.ofMinutes(15)), TaskEventKind.CREATED)); // closes the hour
    for (int i = 0; i < 6; i++) {
      events.add(task(hour.plusSeconds(60L * (20 + i)), TaskEventKind.FAILED));
    }
    // Agents: 6 of 20 runs fail (0.3 > 0.25), the hour closes firing; 41 late completions make
    // it 6 of 61 (under 0.10) and resolve it.
    for (int i = 0; i < 14; i++) {
      events.add(agent(hour.plusSeconds(60L * i), AgentEventKind.COMPLETED));
    }
    for (int i = 0; i < 6; i++) {
      events.add(agent(hour.plusSeconds(60L * (14 + i)), AgentEventKind.FAILED));
    }
    events.add(agent(next.plus(Duration.ofMinutes(15)), AgentEventKind.STARTED));
    for (int i = 0; i < 41; i++) {
      events.add(agent(hour.plusSeconds(60L * (20 + i % 30)), AgentEventKind.COMPLETED));
    }

    try (StreamsProcessorApp streams =
            StreamsProcessorApp.start(ClientPipeline.processorConfig(kafka, dir));
        SinkApp sink = new SinkApp(ClientPipeline.sinkConfig(kafka, db))) {
      sink.start();
      publish(kafka, topics, events);
      CatchUp.await(
          System.out, kafka.bootstrapServers(), topics, sink, events.size(), Duration.ofMinutes(2));
      StreamStats stats = StreamStats.read(kafka.bootstrapServers(), topics.stats().name());
      assertThat(stats.counted()).isEqualTo(84);
      assertThat(stats.lateCorrected()).isEqualTo(47);
      assertThat(stats.duplicatesSuppressed()).isZero();
      assertThat(stats.deadLetteredTotal()).isZero();
      assertThat(streams.state().isRunningOrRebalancing()).isTrue();
    }

    long start = hour.getEpochSecond();
    assertThat(
            ClientPipeline.rows(
                db,
                "SELECT rule, state, extract(epoch FROM window_start)::bigint, observed_value,"
                    + " correction_late_ms IS NOT NULL FROM alerts ORDER BY rule, state"))
        .containsExactly(
            "agent_failure_rate|FIRING|" + start + "|0.3|f",
            "agent_failure_rate|RESOLVED|" + start + "|" + (6.0 / 61) + "|t",
            "task_failure_spike|FIRING|" + start + "|21|t");
    // Stream time runs on with the wall clock between the closing event and the late ones, so
    // the lateness is the 15 minutes of event time plus that (well under a minute here).
    assertThat(
            ClientPipeline.rows(
                db, "SELECT correction_late_ms FROM alerts WHERE correction_late_ms > 0"))
        .hasSize(2)
        .allSatisfy(
            late ->
                assertThat(Long.parseLong(late))
                    .isBetween(QUARTER_HOUR_MS, QUARTER_HOUR_MS + 60_000));
    assertThat(
            ClientPipeline.rows(
                db,
                "SELECT failed_count, late_event_count FROM task_rollups_hourly"
                    + " WHERE window_start = to_timestamp("
                    + start
                    + ")"))
        .containsExactly("21|6");
    assertThat(
            ClientPipeline.rows(
                db,
                "SELECT completed_count, failed_count, late_event_count FROM agent_rollups_hourly"
                    + " WHERE window_start = to_timestamp("
                    + start
                    + ")"))
        .containsExactly("55|6|41");
  }

  private String id() {
    return UUID.nameUUIDFromBytes(
            ("corrected-alerts-" + ids.incrementAndGet()).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  private TaskEvent task(Instant at, TaskEventKind kind) {
    return TaskEvent.newBuilder()
        .setEventId(id())
        .setOccurredAt(at)
        .setOrganizationId(ORG)
        .setProjectId(PROJECT)
        .setTaskId(id())
        .setKind(kind)
        .setPriority(3)
        .setMetadata(Map.of())
        .build();
  }

  private AgentEvent agent(Instant at, AgentEventKind kind) {
    return AgentEvent.newBuilder()
        .setEventId(id())
        .setOccurredAt(at)
        .setOrganizationId(ORG)
        .setAgentId(AGENT)
        .setAgentType("codegen")
        .setAgentTaskId(id())
        .setKind(kind)
        .setTokensUsed(0)
        .setCostMicros(0)
        .build();
  }

  private static void publish(TestKafka kafka, Topics topics, List<SpecificRecord> events)
      throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    // One partition and idempotence: the order sent is the order the processor reads.
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (SpecificRecord event : events) {
        Family family = Family.ofEvent(event);
        producer
            .send(
                new ProducerRecord<>(
                    topics.events(family).name(),
                    ORG.getBytes(StandardCharsets.UTF_8),
                    FORMAT.encode(event)))
            .get();
      }
    }
  }
}
