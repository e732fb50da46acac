package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hourglass.avro.JsonView;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.loadgen.StreamStats;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import dev.hourglass.rollups.Severity;
import dev.hourglass.schema.Migrator;
import dev.hourglass.sink.SinkApp;
import dev.hourglass.streams.ProcessorConfig;
import dev.hourglass.streams.StreamsProcessorApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Node.js client, end to end: {@code clients/node} (kafkajs + avsc, written from docs/clients.md
 * only) publishes its committed {@code example-events.jsonl} (three task, two agent and two
 * integration events, and an agent event with {@code performance_score} 1.5) with exactly the
 * command line docs/clients.md shows, and reads the alert it causes as JSON. The processor and the
 * sink must leave exact rollups, raw rows, the dead letter and the alert in PostgreSQL, with
 * nothing re-routed (kafkajs's DefaultPartitioner is Java's). CI installs Node.js and npm ({@code
 * .ci/run}); without them this test fails, saying so.
 */
@HourglassIT
class NodeClientIT {
  private static final int PARTITIONS = 3;
  private static final Path CLIENT = Path.of("..", "clients", "node").toAbsolutePath().normalize();
  private static final String ORG = "7d3f9a2e-5b1c-4e8d-9f60-a1b2c3d4e5f6";
  private static final Instant HOUR = Instant.parse("2026-11-20T10:00:00Z");
  private static final Duration NPM_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration NODE_TIMEOUT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The client's exact dependencies, from its package-lock.json, once for both tests. */
  @BeforeAll
  static void installClient(@TempDir Path dir) throws Exception {
    run(dir, NPM_TIMEOUT, "npm", "ci", "--no-audit", "--no-fund");
  }

  @Test
  void shouldCountEventsFromANodeClientExactlyAndServeItTheAlertAsJson(
      TestKafka kafka, TestDatabase db, @TempDir Path dir) throws Exception {
    Migrator.forUrl(db.jdbcUrl(), db.user(), db.password()).migrate();
    kafka.createTopics(PARTITIONS, Topics.BASES.toArray(String[]::new));
    String prefix = kafka.topic("");
    Topics topics = Topics.withPrefix(prefix);
    int partition =
        Utils.toPositive(Utils.murmur2(ORG.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;

    List<String> published;
    List<String> alerts;
    try (StreamsProcessorApp streams =
            StreamsProcessorApp.start(
                ClientPipeline.processorConfig(
                    kafka, dir, Map.of(ProcessorConfig.ALERTS_FORMAT, "json")));
        SinkApp sink = new SinkApp(ClientPipeline.sinkConfig(kafka, db))) {
      sink.start();
      published =
          run(
              dir,
              NODE_TIMEOUT,
              "node",
              "publish.js",
              "--bootstrap",
              kafka.bootstrapServers(),
              "--prefix",
              prefix,
              "example-events.jsonl");
      CatchUp.await(System.out, kafka.bootstrapServers(), topics, sink, 8, Duration.ofMinutes(2));
      alerts =
          run(
              dir,
              NODE_TIMEOUT,
              "node",
              "read-alerts.js",
              "--bootstrap",
              kafka.bootstrapServers(),
              "--prefix",
              prefix,
              "--count",
              "1");
      StreamStats stats = StreamStats.read(kafka.bootstrapServers(), topics.stats().name());
      assertThat(stats.counted()).isEqualTo(7);
      // kafkajs's DefaultPartitioner put every event where Java's would: nothing to re-route.
      assertThat(stats.rerouted()).isZero();
      assertThat(stats.duplicatesSuppressed()).isZero();
      assertThat(stats.deadLettered())
          .containsExactlyInAnyOrderEntriesOf(Map.of("INVALID_RANGE", 1L));
      // A foreign client's invalid event stops nothing.
      assertThat(streams.state().isRunningOrRebalancing()).isTrue();
      assertThat(sink.isRunning()).isTrue();
    }

    assertThat(published)
        .containsExactlyInAnyOrder(
            topics.events(Family.TASK).name() + " partition " + partition + " base offset 0",
            topics.events(Family.AGENT).name() + " partition " + partition + " base offset 0",
            topics.events(Family.INTEGRATION).name() + " partition " + partition + " base offset 0",
            "published 8 events");
    assertThat(alerts).hasSize(1);
    JsonNode alert = JSON.readTree(alerts.get(0));
    assertThat(alert.get("rule").asText()).isEqualTo("agent_hourly_cost");
    assertThat(alert.get("state").asText()).isEqualTo("FIRING");
    assertThat(alert.get("organization_id").asText()).isEqualTo(ORG);
    assertThat(alert.get("entity_key").asText()).isEqualTo("5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9");
    assertThat(alert.get("window_start").asText()).isEqualTo("2026-11-20T10:00:00Z");
    assertThat(alert.get("observed_value").asDouble()).isEqualTo(61.0);
    assertThat(alert.get("threshold").asDouble()).isEqualTo(50.0);

    String hour = Long.toString(HOUR.getEpochSecond());
    assertThat(
            ClientPipeline.rows(
                db,
                "SELECT organization_id, project_id, extract(epoch FROM window_start)::bigint,"
                    + " event_count, created_count, completed_count, estimated_hours_sum,"
                    + " actual_hours_sum FROM task_rollups_hourly"))
        .containsExactly(
            String.join(
                "|", ORG, "2b4d6f80-1a3c-4e5f-8a7b-9c0d1e2f3a4b", hour, "3", "2", "1", "2.5", "2"));
    assertThat(
            ClientPipeline.rows(
                db,
                "SELECT agent_id, agent_type, extract(epoch FROM window_start)::bigint, event_count,"
                    + " completed_count, failed_count, tokens_used_sum, cost_micros_sum,"
                    + " performance_score_count, duration_ms_sum FROM agent_rollups_hourly"))
        .containsExactly(
            String.join(
                "|",
                "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
                "code-review",
                hour,
                "2",
                "1",
                "1",
                "1500",
                "61000000",
                "1",
                "150000"));
    assertThat(
            ClientPipeline.rows(
                db,
                "SELECT integration_type, event_count, success_count, error_count, latency_ms_sum"
                    + " FROM integration_rollups_hourly"))
        .containsExactly("slack|2|1|1|50");
    assertThat(
            ClientPipeline.rows(
                db, "SELECT id, status, title, metadata::text FROM tasks ORDER BY id"))
        .containsExactly(
            "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d|completed|Upgrade the build|{\"team\": \"core\"}",
            "1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e|pending|null|{}");
    assertThat(
            ClientPipeline.rows(
                db, "SELECT status, cost_estimate FROM agent_tasks ORDER BY status"))
        .containsExactly("completed|60.000000", "failed|1.000000");
    assertThat(
            ClientPipeline.rows(
                db, "SELECT status, latency_ms, payload::text FROM integration_events"))
        .containsExactlyInAnyOrder("success|20|{\"channel\": \"#builds\"}", "error|30|null");
    assertThat(
            ClientPipeline.rows(
                db,
                "SELECT source_topic, source_partition, source_offset, reason_code, message,"
                    + " organization_id FROM dead_letters"))
        .containsExactly(
            String.join(
                "|",
                topics.events(Family.AGENT).name(),
                Integer.toString(partition),
                "2",
                "INVALID_RANGE",
                "performance_score: 1.5 is outside [0, 1]",
                ORG));
    assertThat(ClientPipeline.rows(db, "SELECT rule, state, observed_value FROM alerts"))
        .containsExactly("agent_hourly_cost|FIRING|61");
  }

  @Test
  void shouldRefuseALineThatDoesNotFitItsSchemaBeforeConnecting(@TempDir Path dir)
      throws Exception {
    List<String> lines = Files.readAllLines(CLIENT.resolve("example-events.jsonl"));
    Path events =
        Files.write(
            dir.resolve("events.jsonl"),
            List.of(lines.get(0), lines.get(1).replace("\"priority\":2,", "")));

    // Port 9 (discard) has no broker: the run must stop before it would try one.
    Result result =
        exec(
            dir,
            NODE_TIMEOUT,
            "node",
            "publish.js",
            "--bootstrap",
            "127.0.0.1:9",
            events.toString());

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo("line 2: not a valid TaskEvent at priority\n");
  }

  @Test
  void shouldPrintAnAvroAlertAsTheProcessorWritesItInJson(TestKafka kafka, @TempDir Path dir)
      throws Exception {
    kafka.createTopics(1, Topics.BASES.toArray(String[]::new));
    String prefix = kafka.topic("");
    Alert alert =
        new Alert(
            "c0ffee00-1234-4567-89ab-cdef01234567",
            "agent_failure_rate",
            Severity.WARNING,
            AlertState.RESOLVED,
            ORG,
            "agent",
            "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",
            HOUR,
            HOUR.plusSeconds(3600),
            0.05,
            0.1,
            HOUR.plusSeconds(3600),
            HOUR.plusSeconds(7200).plusMillis(250),
            "agent 5e6f7a8b failed 5% of runs (clears below 10%)",
            null);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  Topics.withPrefix(prefix).alerts().name(),
                  "agent_failure_rate|" + ORG + "|" + alert.getEntityKey(),
                  SingleObjectFormat.standard().encode(alert)))
          .get();
    }

    List<String> lines =
        run(
            dir,
            NODE_TIMEOUT,
            "node",
            "read-alerts.js",
            "--bootstrap",
            kafka.bootstrapServers(),
            "--prefix",
            prefix,
            "--count",
            "1");

    // Decoded with the released Alert schema, it is the line streams.alerts.format=json writes.
    assertThat(lines).containsExactly(JsonView.toJson(alert));
  }

  /** What a finished command left: its exit status, standard output's lines, standard error. */
  private record Result(int exit, List<String> out, String err) {}

  /**
   * Runs a command in {@code clients/node} and returns its standard output's lines; fails with its
   * output when it does not exit 0 in time, or when the command is not installed.
   */
  private static List<String> run(Path dir, Duration timeout, String... command)
      throws IOException, InterruptedException {
    Result result = exec(dir, timeout, command);
    assertThat(result.exit())
        .as("exit status of %s, stderr: %s", String.join(" ", command), result.err())
        .isZero();
    return result.out();
  }

  private static Result exec(Path dir, Duration timeout, String... command)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(dir, command[0], ".out");
    Path err = Files.createTempFile(dir, command[0], ".err");
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(CLIENT.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
    } catch (IOException e) {
      throw new AssertionError(
          command[0]
              + " is not installed: this test runs the Node.js client. Install Node.js and npm"
              + " (`apt-get install -y nodejs npm`; CI installs them in .ci/run).",
          e);
    }
    if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(
          "did not finish within " + timeout + ": " + String.join(" ", command) + "\n" + log(err));
    }
    return new Result(
        process.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8), log(err));
  }

  private static String log(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
