package dev.hourglass.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hourglass.avro.AvroSerdes;
import dev.hourglass.avro.LogHistogram;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.events.TaskEventKind;
import dev.hourglass.rollups.AgentCorrection;
import dev.hourglass.rollups.AgentRollup;
import dev.hourglass.rollups.DeadLetter;
import dev.hourglass.rollups.IntegrationCorrection;
import dev.hourglass.rollups.IntegrationRollup;
import dev.hourglass.rollups.TaskCorrection;
import dev.hourglass.rollups.TaskRollup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real application, exactly-once, on a real broker: a generated data set (with duplicates,
 * out-of-order events within grace, late events, invalid events and poison bytes) gives exactly the
 * rollups computed here, independently, from the same events.
 */
@HourglassIT
class StreamsProcessorIT {
  private static final Instant BASE = Instant.parse("2026-11-01T00:00:00Z");
  private static final int HOURS = 4;
  private static final int ORGS = 5;
  private static final int PER_HOUR = 50;
  private static final SingleObjectFormat FORMAT = SingleObjectFormat.standard();

  private final Random random = new Random(20261122);
  private final List<ProducerRecord<byte[], byte[]>> sends = new ArrayList<>();
  private final Map<String, List<Object>> expected = new TreeMap<>();
  private long distinct;
  private long duplicates;
  private long late;
  private long invalid;
  private long poison;

  @Test
  void shouldProduceExactlyTheIndependentlyComputedRollups(TestKafka kafka, @TempDir Path state)
      throws Exception {
    kafka.createTopics(3, Topics.BASES.toArray(String[]::new));
    ProcessorConfig config =
        ProcessorConfig.from(
            Map.of(
                ProcessorConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                ProcessorConfig.APPLICATION_ID, kafka.topic("app"),
                ProcessorConfig.TOPIC_PREFIX, kafka.topic(""),
                ProcessorConfig.STATE_DIR, state.toString(),
                ProcessorConfig.EMIT_INTERVAL_MS, "200",
                ProcessorConfig.COMMIT_INTERVAL_MS, "200"));
    assertThat(config.processingGuarantee()).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    Topics topics = config.topics();
    generate(topics);
    produce(kafka.bootstrapServers());

    try (StreamsProcessorApp app = StreamsProcessorApp.start(config);
        KafkaConsumer<String, byte[]> rollups = consumer(kafka, topics.rollups().name());
        KafkaConsumer<String, byte[]> deadLetters = consumer(kafka, topics.deadLetters().name());
        KafkaConsumer<String, byte[]> stats = consumer(kafka, topics.stats().name())) {
      Map<String, Latest> latest = new HashMap<>();
      Map<String, List<Object>> corrections = new HashMap<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () -> {
                read(rollups, latest, corrections);
                assertThat(actual(latest, corrections)).isEqualTo(expected);
              });
      // Every hour before the closers' hour is final; the closers' own hour is still open.
      long closersHour = BASE.plus(Duration.ofHours(HOURS + 2)).toEpochMilli();
      latest.forEach(
          (key, l) -> assertThat(l.isFinal).as(key).isEqualTo(!key.endsWith("|" + closersHour)));

      List<DeadLetter> dls = new ArrayList<>();
      Map<String, String> books = new HashMap<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                for (ConsumerRecord<String, byte[]> r : deadLetters.poll(Duration.ofMillis(100))) {
                  dls.add(
                      AvroSerdes.serde(DeadLetter.class)
                          .deserializer()
                          .deserialize(r.topic(), r.value()));
                }
                for (ConsumerRecord<String, byte[]> r : stats.poll(Duration.ofMillis(100))) {
                  books.put(r.key(), new String(r.value(), StandardCharsets.UTF_8));
                }
                assertThat(dls).hasSize((int) (invalid + poison));
                assertThat(sum(books, "counted")).isEqualTo(distinct);
                assertThat(sum(books, "duplicates_suppressed")).isEqualTo(duplicates);
                assertThat(sum(books, "late_corrected")).isEqualTo(late);
              });
      assertThat(dls.stream().filter(d -> d.getReasonCode().equals("INVALID_NEGATIVE")).count())
          .isEqualTo(invalid);
      assertThat(dls.stream().filter(d -> d.getReasonCode().equals("NOT_SINGLE_OBJECT")).count())
          .isEqualTo(poison);
      assertThat(app.state().isRunningOrRebalancing()).isTrue();
    }
  }

  // ---------------------------------------------------------------- the data set

  private void generate(Topics topics) {
    List<String> orgs = IntStream.range(0, ORGS).mapToObj(i -> uuid("org-" + i)).toList();
    List<Sent> history = new ArrayList<>();
    for (int h = 0; h < HOURS; h++) {
      for (int i = 0; i < PER_HOUR; i++) {
        // In time order across all organizations, so stream time advances as in production.
        Instant at = BASE.plus(Duration.ofHours(h)).plusMillis(i * 3_600_000L / PER_HOUR);
        for (String org : orgs) {
          Instant t = at.plusMillis(random.nextInt(60_000));
          if (random.nextInt(10) == 0) {
            t = t.minusMillis(random.nextInt(300_000)); // out of order, within grace
          }
          history.add(send(topics, task(org, t)));
          history.add(send(topics, agent(org, t.plusMillis(1))));
          history.add(send(topics, integration(org, t.plusMillis(2))));
          if (random.nextInt(20) == 0) {
            Sent again =
                history.get(history.size() - 1 - random.nextInt(Math.min(30, history.size())));
            sends.add(again.record);
            duplicates++;
          }
          if (random.nextInt(40) == 0) {
            AgentEvent bad = agent(org, t);
            bad.setCostMicros(-5);
            sends.add(record(topics.events(Family.AGENT).name(), org, FORMAT.encode(bad)));
            invalid++;
          }
          if (random.nextInt(60) == 0) {
            sends.add(
                record(
                    topics.events(Family.TASK).name(),
                    org,
                    ("poison-" + random.nextInt()).getBytes(StandardCharsets.UTF_8)));
            poison++;
          }
        }
      }
    }
    // Closers: two hours after the data, they close every data hour of every partition.
    Instant closers = BASE.plus(Duration.ofHours(HOURS + 2)).plusSeconds(60);
    for (String org : orgs) {
      send(topics, task(org, closers));
      send(topics, agent(org, closers));
      send(topics, integration(org, closers));
    }
    // Late: for the second hour, long closed by now.
    for (String org : orgs) {
      Instant t = BASE.plus(Duration.ofHours(1)).plusSeconds(random.nextInt(3600));
      send(topics, task(org, t));
      send(topics, agent(org, t));
      late += 2;
    }
  }

  private record Sent(ProducerRecord<byte[], byte[]> record) {}

  private Sent send(Topics topics, SpecificRecord event) {
    String org = field(event, "organization_id").toString();
    String topic = topics.events(Family.ofEvent(event)).name();
    ProducerRecord<byte[], byte[]> r = record(topic, org, FORMAT.encode(event));
    sends.add(r);
    expect(event);
    distinct++;
    return new Sent(r);
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, String org, byte[] value) {
    return new ProducerRecord<>(topic, org.getBytes(StandardCharsets.UTF_8), value);
  }

  private static String uuid(String name) {
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private String id() {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  private double quarter(int max) {
    return random.nextInt(max + 1) / 4.0;
  }

  private TaskEvent task(String org, Instant at) {
    TaskEventKind kind = TaskEventKind.values()[random.nextInt(6)];
    boolean done = kind == TaskEventKind.COMPLETED || kind == TaskEventKind.FAILED;
    return TaskEvent.newBuilder()
        .setEventId(id())
        .setOccurredAt(at)
        .setOrganizationId(org)
        .setProjectId(uuid(org + "-project-" + random.nextInt(2)))
        .setTaskId(id())
        .setKind(kind)
        .setPriority(1 + random.nextInt(5))
        .setEstimatedHours(random.nextBoolean() ? quarter(40) : null)
        .setActualHours(done ? quarter(40) : null)
        .setMetadata(Map.of())
        .build();
  }

  private AgentEvent agent(String org, Instant at) {
    int a = random.nextInt(2);
    AgentEventKind kind = AgentEventKind.values()[random.nextInt(3)];
    boolean done = kind != AgentEventKind.STARTED;
    return AgentEvent.newBuilder()
        .setEventId(id())
        .setOccurredAt(at)
        .setOrganizationId(org)
        .setAgentId(uuid(org + "-agent-" + a))
        .setAgentType(a == 0 ? "codegen" : "review")
        .setAgentTaskId(id())
        .setKind(kind)
        .setTokensUsed(random.nextInt(5000))
        .setCostMicros(random.nextInt(2_000_000))
        .setPerformanceScore(done && random.nextBoolean() ? random.nextInt(5) / 4.0 : null)
        .setDurationMs(done ? 100L + random.nextInt(1_000_000) : null)
        .build();
  }

  private IntegrationEvent integration(String org, Instant at) {
    return IntegrationEvent.newBuilder()
        .setEventId(id())
        .setOccurredAt(at)
        .setOrganizationId(org)
        .setIntegrationType(random.nextBoolean() ? "github" : "linear")
        .setEventType("issue.updated")
        .setStatus(random.nextInt(10) == 0 ? IntegrationStatus.ERROR : IntegrationStatus.SUCCESS)
        .setProcessed(random.nextInt(5) != 0)
        .setLatencyMs(random.nextInt(20_000))
        .build();
  }

  // ---------------------------------------------------------------- expected, independently

  private static long hourOf(Instant t) {
    return Math.floorDiv(t.toEpochMilli(), 3_600_000L) * 3_600_000L;
  }

  private void expect(SpecificRecord event) {
    List<Object> delta = new ArrayList<>();
    String key;
    if (event instanceof TaskEvent e) {
      key =
          "task|"
              + e.getOrganizationId()
              + "|"
              + e.getProjectId()
              + "|"
              + hourOf(e.getOccurredAt());
      delta.add(1L);
      for (TaskEventKind k : TaskEventKind.values()) {
        delta.add(e.getKind() == k ? 1L : 0L);
      }
      delta.add(e.getEstimatedHours() == null ? 0.0 : e.getEstimatedHours());
      delta.add(e.getActualHours() == null ? 0.0 : e.getActualHours());
      delta.add(e.getActualHours() == null ? 0L : 1L);
      delta.add(
          e.getActualHours() == null
              ? LogHistogram.empty()
              : LogHistogram.add(LogHistogram.empty(), e.getActualHours() * 3_600_000.0));
    } else if (event instanceof AgentEvent e) {
      key =
          "agent|" + e.getOrganizationId() + "|" + e.getAgentId() + "|" + hourOf(e.getOccurredAt());
      delta.add(1L);
      for (AgentEventKind k : AgentEventKind.values()) {
        delta.add(e.getKind() == k ? 1L : 0L);
      }
      delta.add(e.getTokensUsed());
      delta.add(e.getCostMicros());
      delta.add(e.getPerformanceScore() == null ? 0.0 : e.getPerformanceScore());
      delta.add(e.getPerformanceScore() == null ? 0L : 1L);
      delta.add(e.getDurationMs() == null ? 0L : e.getDurationMs());
      delta.add(e.getDurationMs() == null ? 0L : 1L);
      delta.add(
          e.getDurationMs() == null
              ? LogHistogram.empty()
              : LogHistogram.add(LogHistogram.empty(), e.getDurationMs()));
    } else {
      IntegrationEvent e = (IntegrationEvent) event;
      key =
          "integration|"
              + e.getOrganizationId()
              + "|"
              + e.getIntegrationType()
              + "|"
              + hourOf(e.getOccurredAt());
      delta.add(1L);
      delta.add(e.getStatus() == IntegrationStatus.SUCCESS ? 1L : 0L);
      delta.add(e.getStatus() == IntegrationStatus.ERROR ? 1L : 0L);
      delta.add(e.getProcessed() ? 0L : 1L);
      delta.add(e.getLatencyMs());
      delta.add(LogHistogram.add(LogHistogram.empty(), e.getLatencyMs()));
    }
    expected.merge(key, delta, StreamsProcessorIT::plus);
  }

  @SuppressWarnings("unchecked")
  private static List<Object> plus(List<Object> a, List<Object> b) {
    List<Object> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      Object x = a.get(i);
      Object y = b.get(i);
      if (x instanceof Long l) {
        out.add(l + (Long) y);
      } else if (x instanceof Double dd) {
        out.add(dd + (Double) y);
      } else {
        out.add(LogHistogram.merge((List<Long>) x, (List<Long>) y));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- actual, from the topic

  private record Latest(long revision, boolean isFinal, List<Object> measures) {}

  private static void read(
      KafkaConsumer<String, byte[]> consumer,
      Map<String, Latest> latest,
      Map<String, List<Object>> corrections) {
    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
      SpecificRecord v = FORMAT.decode(r.topic(), r.value());
      String family =
          switch (v.getSchema().getName()) {
            case "TaskRollup", "TaskCorrection" -> "task";
            case "AgentRollup", "AgentCorrection" -> "agent";
            default -> "integration";
          };
      String entity =
          field(
                  v,
                  family.equals("task")
                      ? "project_id"
                      : family.equals("agent") ? "agent_id" : "integration_type")
              .toString();
      String key =
          family
              + "|"
              + field(v, "organization_id")
              + "|"
              + entity
              + "|"
              + ((Instant) field(v, "window_start")).toEpochMilli();
      if (v instanceof TaskRollup || v instanceof AgentRollup || v instanceof IntegrationRollup) {
        long revision = (Long) field(v, "revision");
        Latest before = latest.get(key);
        assertThat(before == null || before.revision < revision)
            .as("revisions of %s increase", key)
            .isTrue();
        assertThat(before == null || !before.isFinal)
            .as("nothing after the final of %s", key)
            .isTrue();
        latest.put(
            key,
            new Latest(
                revision,
                (Boolean) field(v, "is_final"),
                values((SpecificRecord) field(v, "measures"))));
      } else {
        assertThat(v)
            .isInstanceOfAny(
                TaskCorrection.class, AgentCorrection.class, IntegrationCorrection.class);
        assertThat(latest.get(key) == null || latest.get(key).isFinal)
            .as("a correction of %s follows its final rollup", key)
            .isTrue();
        corrections.merge(
            key, values((SpecificRecord) field(v, "delta")), StreamsProcessorIT::plus);
      }
    }
  }

  private static Map<String, List<Object>> actual(
      Map<String, Latest> latest, Map<String, List<Object>> corrections) {
    Map<String, List<Object>> out = new TreeMap<>();
    latest.forEach((k, l) -> out.put(k, l.measures));
    corrections.forEach((k, c) -> out.merge(k, c, StreamsProcessorIT::plus));
    return out;
  }

  private static List<Object> values(SpecificRecord measures) {
    List<Object> out = new ArrayList<>();
    for (Schema.Field f : measures.getSchema().getFields()) {
      Object v = measures.get(f.pos());
      out.add(v instanceof List<?> list ? List.copyOf(list) : v);
    }
    return out;
  }

  private static Object field(SpecificRecord r, String name) {
    return r.get(r.getSchema().getField(name).pos());
  }

  private static long sum(Map<String, String> books, String counter) {
    long total = 0;
    for (String json : books.values()) {
      int at = json.indexOf("\"" + counter + "\":");
      String rest = json.substring(at + counter.length() + 3);
      total += Long.parseLong(rest.substring(0, rest.indexOf(',')));
    }
    return total;
  }

  // ---------------------------------------------------------------- Kafka clients

  private void produce(String bootstrap) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (ProducerRecord<byte[], byte[]> r : sends) {
        producer.send(r);
      }
      producer.flush();
    }
  }

  /** A read_committed consumer of every partition of {@code topic}, from the beginning. */
  static KafkaConsumer<String, byte[]> consumer(TestKafka kafka, String topic) {
    KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    List<TopicPartition> partitions =
        c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    c.assign(partitions);
    c.seekToBeginning(partitions);
    return c;
  }
}
