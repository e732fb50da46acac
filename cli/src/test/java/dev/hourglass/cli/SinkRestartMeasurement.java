package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.loadgen.LoadGenerator;
import dev.hourglass.loadgen.LoadSummary;
import dev.hourglass.schema.Migrator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * How long a sink takes from SIGKILL to committing again when it is restarted at once as a new OS
 * process ({@code hourglass sink}) in the same group: with the classic group protocol as a dynamic
 * and as a static member ({@code sink.consumer.group.instance.id}), and with KIP-848's consumer
 * protocol ({@code sink.consumer.group.protocol=consumer}). A measurement, not a CI test (its name
 * does not end in IT: about three minutes, most of it waiting for session timeouts); run it with
 * {@code ./mvnw -pl cli -am verify -Dit.test=SinkRestartMeasurement -Dtest=NONE
 * -Dsurefire.failIfNoSpecifiedTests=false}. The figures go to the log and to {@code
 * cli/target/sink-restart-times.md}, each process's log to {@code cli/target/sink-restart/}; what
 * is asserted is only that the restarted sink commits every record exactly once (its stored offsets
 * equal the events acknowledged). A restarted process that exits before committing (a static member
 * the consumer protocol refuses while its predecessor's session lasts) is started again at once, as
 * a supervisor would, and the restarts are counted.
 */
@HourglassIT
class SinkRestartMeasurement {
  private static final Path REPORT = Path.of("target", "sink-restart-times.md");
  private static final Path LOGS = Path.of("target", "sink-restart");

  @Test
  void shouldCommitAgainAfterSigkillAsADynamicMember(
      TestKafka kafka, TestDatabase db, @TempDir Path dir) throws Exception {
    measure(kafka, db, dir, "classic protocol, dynamic member (default)", Map.of());
  }

  @Test
  void shouldCommitAgainAfterSigkillAsAStaticMember(
      TestKafka kafka, TestDatabase db, @TempDir Path dir) throws Exception {
    measure(
        kafka,
        db,
        dir,
        "classic protocol, static member",
        Map.of("sink.consumer.group.instance.id", "sink-a"));
  }

  @Test
  void shouldCommitAgainAfterSigkillWithTheConsumerProtocol(
      TestKafka kafka, TestDatabase db, @TempDir Path dir) throws Exception {
    measure(
        kafka,
        db,
        dir,
        "consumer protocol (KIP-848), dynamic member",
        Map.of("sink.consumer.group.protocol", "consumer"));
  }

  @Test
  void shouldCommitAgainAfterSigkillWithTheConsumerProtocolAsAStaticMember(
      TestKafka kafka, TestDatabase db, @TempDir Path dir) throws Exception {
    measure(
        kafka,
        db,
        dir,
        "consumer protocol (KIP-848), static member",
        Map.of(
            "sink.consumer.group.protocol", "consumer",
            "sink.consumer.group.instance.id", "sink-a"));
  }

  private static void measure(
      TestKafka kafka, TestDatabase db, Path dir, String label, Map<String, String> overrides)
      throws Exception {
    Migrator.forUrl(db.jdbcUrl(), db.user(), db.password()).migrate();
    kafka.createTopics(3, Topics.BASES.toArray(String[]::new));
    String group = "sink-" + kafka.topic("group");
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("bootstrap.servers", kafka.bootstrapServers());
    settings.put("topic.prefix", kafka.topic(""));
    settings.put("sink.group.id", group);
    settings.put("jdbc.url", db.jdbcUrl());
    settings.put("jdbc.user", db.user());
    settings.put("jdbc.password", db.password());
    // The machine is shared: no fixed metrics port.
    settings.put("metrics.port", "0");
    settings.putAll(overrides);
    Path props = dir.resolve("sink.properties");
    StringBuilder text = new StringBuilder();
    settings.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    Files.writeString(props, text, StandardCharsets.UTF_8);

    long acknowledged = send(kafka, dir, 1, 2_000);
    String slug = label.replaceAll("[^a-z0-9]+", "-");
    Files.createDirectories(LOGS);
    Process first = startSink(props, LOGS.resolve(slug + "-1.log"));
    try {
      awaitStored(db, group, acknowledged, Duration.ofMinutes(2));
      long killedAt = System.nanoTime();
      first.destroyForcibly().waitFor();
      Path[] log = {LOGS.resolve(slug + "-2.log")};
      Process[] second = {startSink(props, log[0])};
      int[] restarts = {0};
      // When the last process started said it runs: the JVM's own start is the rest.
      long[] running = {0};
      try {
        // Records to commit arrive while the new process starts.
        CompletableFuture<Long> more =
            CompletableFuture.supplyAsync(() -> send(kafka, dir, 2, 500));
        long[] at = new long[1];
        await()
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofMillis(20))
            .until(
                () -> {
                  at[0] = System.nanoTime();
                  if (!second[0].isAlive()) {
                    restarts[0]++;
                    running[0] = 0;
                    log[0] = LOGS.resolve(slug + "-2-" + restarts[0] + ".log");
                    second[0] = startSink(props, log[0]);
                  }
                  if (running[0] == 0
                      && Files.readString(log[0], StandardCharsets.UTF_8)
                          .contains("Starting sink with")) {
                    running[0] = at[0];
                  }
                  return stored(db, group) > acknowledged;
                });
        long committedAt = at[0];
        long total = acknowledged + more.get();
        awaitStored(db, group, total, Duration.ofMinutes(2));
        double seconds = (committedAt - killedAt) / 1e9;
        double jvm = ((running[0] == 0 ? committedAt : running[0]) - killedAt) / 1e9;
        String line =
            String.format(
                "| %s | %.1f s | %.1f s | %.1f s | %d |%n",
                label, seconds, jvm, seconds - jvm, restarts[0]);
        System.out.print("Sink restart, SIGKILL to committing again: " + line);
        Files.createDirectories(REPORT.getParent());
        Files.writeString(
            REPORT,
            line,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
        assertThat(stored(db, group)).isEqualTo(total);
      } finally {
        second[0].destroy();
        second[0].waitFor();
      }
    } finally {
      first.destroyForcibly().waitFor();
    }
  }

  private static long send(TestKafka kafka, Path dir, long seed, long events) {
    LoadOptions load = new LoadOptions();
    new CommandLine(load)
        .parseArgs("--events", Long.toString(events), "--orgs", "5", "--seed", Long.toString(seed));
    Path ledger = dir.resolve("run-" + seed + ".jsonl");
    try (PrintStream quiet =
        new PrintStream(java.io.OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8)) {
      LoadSummary summary =
          new LoadGenerator(load.toOptions(kafka.bootstrapServers(), kafka.topic(""), ledger))
              .run(quiet);
      return summary.acknowledged();
    }
  }

  private static Process startSink(Path props, Path log) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(
            java,
            "-Xmx512m",
            "-cp",
            System.getProperty("java.class.path"),
            Hourglass.class.getName(),
            "sink",
            "-c",
            props.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** The sum of the group's stored next offsets: records committed, on fresh topics. */
  private static long stored(TestDatabase db, String group) throws SQLException {
    try (Connection c = db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT coalesce(sum(next_offset), 0) FROM sink_offsets WHERE consumer_group = ?")) {
      ps.setString(1, group);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void awaitStored(TestDatabase db, String group, long records, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> stored(db, group) == records);
  }
}
