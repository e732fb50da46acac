package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.loadgen.StreamStats;
import dev.hourglass.schema.Migrator;
import dev.hourglass.sink.SinkApp;
import dev.hourglass.streams.StreamsProcessorApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real non-Java client, end to end: kcat (librdkafka) publishes integration events, encoded with
 * the public {@link SingleObjectFormat}, once with librdkafka's default partitioner ({@code
 * consistent_random}, crc32, which puts this organization on partition 2) and once with {@code
 * murmur2_random} (Java's partitioner: partition 0), plus garbage bytes and an invalid event; the
 * processor and the sink must leave exact rollups, raw rows and dead letters in PostgreSQL. The
 * kcat command line is the one docs/clients.md shows. CI installs kcat ({@code .ci/run}); without
 * it this test fails, saying so.
 */
@HourglassIT
class KcatClientIT {
  private static final int PARTITIONS = 3;
  // murmur2 owner: partition 0; librdkafka's consistent_random (crc32): partition 2.
  private static final String ORG = "1c8e3e5f-4d2b-4f9c-8a71-2b3c4d5e6f70";
  private static final Instant HOUR = Instant.parse("2026-11-20T10:00:00Z");
  private static final Duration KCAT_TIMEOUT = Duration.ofSeconds(60);
  private static final SingleObjectFormat FORMAT = SingleObjectFormat.standard();
  // Binary on purpose: a NUL, a newline and a byte that is not UTF-8 must reach the topic as sent.
  private static final byte[] GARBAGE = {0x00, 0x0A, (byte) 0xFF, 0x7B, 0x22, 0x7D};

  @Test
  void shouldCountEventsFromKcatExactlyWithEitherPartitioner(
      TestKafka kafka, TestDatabase db, @TempDir Path dir) throws Exception {
    requireKcat();
    Migrator.forUrl(db.jdbcUrl(), db.user(), db.password()).migrate();
    kafka.createTopics(PARTITIONS, Topics.BASES.toArray(String[]::new));
    Topics topics = Topics.withPrefix(kafka.topic(""));
    String input = topics.events(Family.INTEGRATION).name();

    // Default partitioner: six valid events, the garbage and the invalid event (offsets 3 and 4).
    List<Path> asDefault = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      asDefault.add(write(dir, "default-" + i, FORMAT.encode(event(i, 10))));
    }
    asDefault.add(write(dir, "garbage", GARBAGE));
    asDefault.add(write(dir, "invalid", FORMAT.encode(event(99, -5))));
    for (int i = 3; i < 6; i++) {
      asDefault.add(write(dir, "default-" + i, FORMAT.encode(event(i, 10))));
    }
    // murmur2_random: five valid events, on the partition the processor counts them in.
    List<Path> asMurmur2 = new ArrayList<>();
    for (int i = 6; i < 11; i++) {
      asMurmur2.add(write(dir, "murmur2-" + i, FORMAT.encode(event(i, 10))));
    }

    try (StreamsProcessorApp streams =
            StreamsProcessorApp.start(ClientPipeline.processorConfig(kafka, dir));
        SinkApp sink = new SinkApp(ClientPipeline.sinkConfig(kafka, db))) {
      sink.start();
      kcat(kafka.bootstrapServers(), input, List.of(), asDefault);
      kcat(kafka.bootstrapServers(), input, List.of("-X", "partitioner=murmur2_random"), asMurmur2);

      // Both partitioners were really used: the organization's records are on two partitions.
      assertThat(endOffsets(kafka, input)).containsExactly(5L, 0L, 8L);
      CatchUp.await(System.out, kafka.bootstrapServers(), topics, sink, 13, Duration.ofMinutes(2));
      StreamStats stats = StreamStats.read(kafka.bootstrapServers(), topics.stats().name());
      assertThat(stats.counted()).isEqualTo(11);
      assertThat(stats.rerouted()).isEqualTo(6);
      assertThat(stats.duplicatesSuppressed()).isZero();
      // Garbage and an invalid record from a foreign client stop nothing.
      assertThat(streams.state().isRunningOrRebalancing()).isTrue();
      assertThat(sink.isRunning()).isTrue();
      assertThat(stats.deadLettered())
          .containsExactlyInAnyOrderEntriesOf(
              Map.of("NOT_SINGLE_OBJECT", 1L, "INVALID_NEGATIVE", 1L));
    }

    assertThat(
            ClientPipeline.rows(
                db,
                "SELECT organization_id, integration_type, extract(epoch FROM window_start)::bigint,"
                    + " event_count, success_count, error_count, latency_ms_sum"
                    + " FROM integration_rollups_hourly"))
        .containsExactly(
            String.join(
                "|", ORG, "github", Long.toString(HOUR.getEpochSecond()), "11", "8", "3", "110"));
    assertThat(
            ClientPipeline.rows(
                db,
                "SELECT count(*) FROM integration_events WHERE organization_id = '" + ORG + "'"))
        .containsExactly("11");
    assertThat(
            ClientPipeline.rows(
                db,
                "SELECT source_topic, source_partition, source_offset, reason_code, message,"
                    + " organization_id FROM dead_letters ORDER BY source_offset"))
        .containsExactly(
            String.join(
                "|",
                input,
                "2",
                "3",
                "NOT_SINGLE_OBJECT",
                "NOT_SINGLE_OBJECT on topic "
                    + input
                    + ": no single-object marker C3 01 at the start of 6 bytes",
                "null"),
            String.join(
                "|", input, "2", "4", "INVALID_NEGATIVE", "latency_ms: -5 is negative", ORG));
  }

  /** Every third event fails, so the rollup's split is exact too: 8 successes, 3 errors. */
  private static IntegrationEvent event(int i, long latencyMs) {
    return IntegrationEvent.newBuilder()
        .setEventId(
            UUID.nameUUIDFromBytes(("kcat-" + i).getBytes(StandardCharsets.UTF_8)).toString())
        .setOccurredAt(HOUR.plusSeconds(60L * i))
        .setOrganizationId(ORG)
        .setIntegrationType("github")
        .setEventType("pull_request.opened")
        .setStatus(i % 3 == 2 ? IntegrationStatus.ERROR : IntegrationStatus.SUCCESS)
        .setProcessed(true)
        .setLatencyMs(latencyMs)
        .build();
  }

  private static Path write(Path dir, String name, byte[] value) throws IOException {
    return Files.write(dir.resolve(name + ".bin"), value);
  }

  /**
   * docs/clients.md's command line: each file is one message, sent byte for byte, keyed by the
   * organization_id, with idempotence on.
   */
  private static void kcat(String bootstrap, String topic, List<String> extra, List<Path> files)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "kcat",
                "-P",
                "-b",
                bootstrap,
                "-t",
                topic,
                "-k",
                ORG,
                "-X",
                "enable.idempotence=true"));
    command.addAll(extra);
    files.forEach(f -> command.add(f.toString()));
    Path log = files.get(0).resolveSibling("kcat-" + extra.size() + ".log");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(KCAT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("kcat did not finish within " + KCAT_TIMEOUT + ": " + command);
    }
    assertThat(process.exitValue())
        .as("exit status of %s, output: %s", command, Files.readString(log))
        .isZero();
  }

  private static void requireKcat() throws InterruptedException {
    try {
      Process version = new ProcessBuilder("kcat", "-V").redirectErrorStream(true).start();
      version.getInputStream().readAllBytes();
      if (!version.waitFor(10, TimeUnit.SECONDS) || version.exitValue() != 0) {
        throw new AssertionError("kcat -V failed; reinstall kcat (apt-get install -y kcat)");
      }
    } catch (IOException e) {
      throw new AssertionError(
          "kcat is not installed: this test publishes through it. Install it with"
              + " `apt-get install -y kcat` (CI installs it in .ci/run).",
          e);
    }
  }

  /** The end offset of each partition of {@code topic}, by partition number. */
  private static List<Long> endOffsets(TestKafka kafka, String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    try (Admin admin = kafka.admin()) {
      var offsets = admin.listOffsets(latest).all().get();
      return latest.keySet().stream().map(tp -> offsets.get(tp).offset()).toList();
    }
  }
}
