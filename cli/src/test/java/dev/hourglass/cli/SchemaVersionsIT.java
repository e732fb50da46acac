package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.avro.SchemaHistory;
import dev.hourglass.avro.SchemaTopic;
import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.events.TaskEventKind;
import dev.hourglass.loadgen.StreamStats;
import dev.hourglass.producer.EventPublisher;
import dev.hourglass.producer.PublisherConfig;
import dev.hourglass.schema.Migrator;
import dev.hourglass.sink.SinkApp;
import dev.hourglass.streams.StreamsProcessorApp;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 16, clients on other schema versions than the pipeline's, end to end: while this build's
 * processor and sink run, a producer on a newer {@code TaskEvent} (v3, an optional field added)
 * publishes its schema to the {@code schemas} topic and then its events; a producer on the older
 * released v1 sends its events; the current {@link EventPublisher} sends its own. All are counted
 * exactly. Records of a newer version whose schema was never published, and of a published version
 * this build cannot resolve (a required field dropped), are dead-lettered as {@code
 * UNKNOWN_FINGERPRINT} with the reason. The foreign versions are encoded with Avro's own {@link
 * BinaryMessageEncoder}, as docs/clients.md tells a client in any language to do.
 */
@HourglassIT
class SchemaVersionsIT {
  private static final String ORG = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";
  private static final String PROJECT = "0f1e2d3c-4b5a-4697-a8b9-cadbecfd0e1f";
  private static final Instant HOUR = Instant.parse("2026-11-20T14:00:00Z");

  @Test
  void shouldCountEventsOfOlderAndNewerSchemaVersionsExactly(
      TestKafka kafka, TestDatabase db, @TempDir Path dir) throws Exception {
    Migrator.forUrl(db.jdbcUrl(), db.user(), db.password()).migrate();
    kafka.createTopics(3, Topics.BASES.toArray(String[]::new));
    Topics topics = Topics.withPrefix(kafka.topic(""));
    String input = topics.events(Family.TASK).name();
    Schema v1 = SchemaHistory.version("TaskEvent", 1);
    Schema v3 = withOptionalField(TaskEvent.getClassSchema(), "region");
    Schema unpublished = withOptionalField(TaskEvent.getClassSchema(), "zone");
    Schema unreadable = withoutField(TaskEvent.getClassSchema(), "task_id");

    try (StreamsProcessorApp streams =
            StreamsProcessorApp.start(ClientPipeline.processorConfig(kafka, dir));
        SinkApp sink = new SinkApp(ClientPipeline.sinkConfig(kafka, db));
        Producer<String, byte[]> client = client(kafka);
        EventPublisher publisher =
            EventPublisher.create(
                PublisherConfig.from(
                    Map.of(
                        "bootstrap.servers", kafka.bootstrapServers(),
                        "topic.prefix", kafka.topic(""))))) {
      sink.start();
      // The newer producer publishes its schema first, as docs/clients.md says, then 5 events.
      SchemaTopic.publish(client, topics.schemas().name(), v3).get();
      SchemaTopic.publish(client, topics.schemas().name(), unreadable).get();
      List<byte[]> values = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        values.add(encode(v3, i));
      }
      for (int i = 5; i < 9; i++) {
        values.add(encode(v1, i));
      }
      values.add(encode(unpublished, 9));
      values.add(encode(unpublished, 10));
      values.add(encode(unreadable, 11));
      for (byte[] value : values) {
        client.send(new ProducerRecord<>(input, ORG, value)).get();
      }
      for (int i = 12; i < 15; i++) {
        publisher.publish(current(i)).get();
      }

      CatchUp.await(System.out, kafka.bootstrapServers(), topics, sink, 15, Duration.ofMinutes(2));
      StreamStats stats = StreamStats.read(kafka.bootstrapServers(), topics.stats().name());
      assertThat(stats.counted()).isEqualTo(12);
      assertThat(stats.deadLettered()).containsExactlyEntriesOf(Map.of("UNKNOWN_FINGERPRINT", 3L));
      assertThat(streams.state().isRunningOrRebalancing()).isTrue();
    }

    assertThat(
            ClientPipeline.rows(
                db,
                "SELECT organization_id, project_id, extract(epoch FROM window_start)::bigint,"
                    + " event_count, created_count, estimated_hours_sum"
                    + " FROM task_rollups_hourly"))
        .containsExactly(
            String.join("|", ORG, PROJECT, Long.toString(HOUR.getEpochSecond()), "12", "12", "12"));
    // The sink's raw rows: one task per event, whatever version wrote it.
    assertThat(
            ClientPipeline.rows(
                db,
                "SELECT count(*), count(DISTINCT title) FROM tasks"
                    + " WHERE organization_id = '"
                    + ORG
                    + "' AND title LIKE 'schema version test %'"))
        .containsExactly("12|12");
    String prefix = "UNKNOWN_FINGERPRINT on topic " + input + ": writer schema fingerprint ";
    assertThat(
            ClientPipeline.rows(
                db, "SELECT source_offset, reason_code, message FROM dead_letters ORDER BY 1"))
        .containsExactly(
            "9|UNKNOWN_FINGERPRINT|"
                + prefix
                + SchemaTopic.key(fingerprint(unpublished))
                + " is not in the schema store",
            "10|UNKNOWN_FINGERPRINT|"
                + prefix
                + SchemaTopic.key(fingerprint(unpublished))
                + " is not in the schema store",
            "11|UNKNOWN_FINGERPRINT|"
                + prefix
                + SchemaTopic.key(fingerprint(unreadable))
                + " is refused: it is published, but dev.hourglass.events.TaskEvent written with"
                + " it cannot be read as this process's version: [READER_FIELD_MISSING_DEFAULT_VALUE"
                + " at /fields/4 (task_id)]");
  }

  private static Producer<String, byte[]> client(TestKafka kafka) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            // docs/clients.md's producer settings.
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            ProducerConfig.ACKS_CONFIG,
            "all"),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  /** Event {@code i} as a record of {@code schema}: every field it has, by name. */
  private static byte[] encode(Schema schema, int i) {
    GenericRecord r = new GenericData.Record(schema);
    put(r, "event_id", eventId(i));
    put(r, "occurred_at", HOUR.plusSeconds(60L * i).toEpochMilli());
    put(r, "organization_id", ORG);
    put(r, "project_id", PROJECT);
    put(
        r,
        "task_id",
        UUID.nameUUIDFromBytes(("task-" + i).getBytes(StandardCharsets.UTF_8)).toString());
    put(r, "kind", new GenericData.EnumSymbol(schema.getField("kind").schema(), "CREATED"));
    put(r, "priority", 3);
    put(r, "title", "schema version test " + i);
    put(r, "estimated_hours", 1.0);
    put(r, "metadata", Map.of());
    put(r, "source", "schema-versions-it");
    put(r, "region", "eu-west-1");
    put(r, "zone", "b");
    ByteBuffer buffer;
    try {
      buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(r);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  private static void put(GenericRecord r, String field, Object value) {
    if (r.getSchema().getField(field) != null) {
      r.put(field, value);
    }
  }

  private static TaskEvent current(int i) {
    return TaskEvent.newBuilder()
        .setEventId(eventId(i))
        .setOccurredAt(HOUR.plusSeconds(60L * i))
        .setOrganizationId(ORG)
        .setProjectId(PROJECT)
        .setTaskId(
            UUID.nameUUIDFromBytes(("task-" + i).getBytes(StandardCharsets.UTF_8)).toString())
        .setKind(TaskEventKind.CREATED)
        .setPriority(3)
        .setTitle("schema version test " + i)
        .setEstimatedHours(1.0)
        .setMetadata(Map.of())
        .setSource("schema-versions-it")
        .build();
  }

  private static String eventId(int i) {
    return UUID.nameUUIDFromBytes(("schema-versions-" + i).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  private static long fingerprint(Schema schema) {
    return org.apache.avro.SchemaNormalization.parsingFingerprint64(schema);
  }

  private static Schema withOptionalField(Schema record, String name) {
    List<Schema.Field> fields = copy(record.getFields());
    fields.add(
        new Schema.Field(
            name,
            SchemaBuilder.unionOf().nullType().and().stringType().endUnion(),
            null,
            JsonProperties.NULL_VALUE));
    return Schema.createRecord(
        record.getName(), record.getDoc(), record.getNamespace(), false, fields);
  }

  private static Schema withoutField(Schema record, String name) {
    List<Schema.Field> fields = copy(record.getFields());
    fields.removeIf(f -> f.name().equals(name));
    return Schema.createRecord(
        record.getName(), record.getDoc(), record.getNamespace(), false, fields);
  }

  private static List<Schema.Field> copy(List<Schema.Field> fields) {
    List<Schema.Field> out = new ArrayList<>();
    for (Schema.Field f : fields) {
      out.add(new Schema.Field(f, f.schema()));
    }
    return out;
  }
}
