package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.config.Shared;
import dev.hourglass.contract.Topics;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hourglass servers --brokers 3} started as an operator starts it, as a process of its own:
 * three Kafka nodes and PostgreSQL, each in its own process, and the whole pipeline run against the
 * client settings it prints, its books checked against the ledger as local mode checks them.
 */
class ServersIT {

  @Test
  void shouldRunThePipelineAgainstAThreeNodeClusterAndPostgresEachInItsOwnProcess(@TempDir Path dir)
      throws Exception {
    Path data = dir.resolve("servers");
    Process servers =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElseThrow(),
                "-cp",
                System.getProperty("java.class.path"),
                Hourglass.class.getName(),
                "servers",
                "--brokers",
                "3",
                "--data-dir",
                data.toString())
            .redirectErrorStream(true)
            .start();
    try {
      List<String> printed = untilRunning(servers);
      assertThat(printed).contains("topics.replication.factor=3", "topics.min.insync.replicas=2");
      Settings settings = Settings.load(data.resolve(ServersCommand.CLIENT_PROPERTIES));
      String bootstrap = settings.values().get(Shared.BOOTSTRAP_SERVERS);
      assertThat(bootstrap.split(",")).hasSize(3);
      // Every server is another process: three brokers, and none of them this test's JVM.
      assertThat(ProcessHandle.current().descendants().filter(p -> p.pid() != servers.pid()))
          .hasSizeGreaterThanOrEqualTo(3);

      Summary summary;
      try (Pipeline pipeline = new Pipeline(settings, dir)) {
        summary = pipeline.books(pipeline.send(17, 3_000));
      }

      assertThat(summary.sent().acknowledged()).isEqualTo(3_000);
      assertThat(summary.mismatches()).as("rows that differ from the ledger").isEmpty();
      assertThat(summary.balanced()).isTrue();
      // The servers are secured: client.properties logs in as the admin principal.
      try (Admin admin = Admin.create(Shared.kafkaClient(settings.read(Shared.KAFKA)))) {
        String events = Topics.withPrefix("hourglass.").events().get(0).name();
        TopicDescription d =
            admin
                .describeTopics(List.of(events))
                .allTopicNames()
                .get(30, TimeUnit.SECONDS)
                .get(events);
        assertThat(d.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
        assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
      }
    } finally {
      servers.destroy();
      assertThat(servers.waitFor(120, TimeUnit.SECONDS)).as("servers stopped").isTrue();
    }
    assertThat(ProcessHandle.current().descendants()).isEmpty();
  }

  /** The lines {@code servers} printed, up to the one saying that it runs. */
  private static List<String> untilRunning(Process servers) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(servers.getInputStream(), StandardCharsets.UTF_8));
    List<String> lines = new ArrayList<>();
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      System.out.println("servers| " + line);
      lines.add(line);
      if (line.startsWith("Running until stopped")) {
        // Keep draining its output, so that it never blocks on a full pipe.
        Thread drain =
            new Thread(
                () -> out.lines().forEach(l -> System.out.println("servers| " + l)),
                "servers-output");
        drain.setDaemon(true);
        drain.start();
        return lines;
      }
    }
    throw new AssertionError("hourglass servers ended before it ran: " + lines);
  }
}
