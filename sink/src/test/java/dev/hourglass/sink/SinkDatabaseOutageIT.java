package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stopped while the sink runs and started again: the sink pauses its partitions, keeps
 * its group membership, retries, and catches up with nothing lost or doubled.
 */
@HourglassIT
class SinkDatabaseOutageIT {

  @Test
  void shouldWaitForPostgresAndCatchUpWithNothingLost(TestKafka kafka) throws Exception {
    Path dir = Files.createTempDirectory("hourglass-sink-outage-");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    EmbeddedPostgres pg = EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(dir, port));
    try {
      pg.createDatabase("sink");
      TestDatabase db =
          new TestDatabase(
              "sink", pg.jdbcUrl("sink"), EmbeddedPostgres.SUPERUSER, pg.superuserPassword());
      Fixtures.migrate(db);
      Fixtures.createTopics(kafka, 3);
      RollupData data = RollupData.generate(19, 6, 4);
      int half = data.records.size() / 2;
      Map<String, String> settings = Fixtures.settings(kafka, db);
      try (KafkaProducer<byte[], byte[]> producer = Fixtures.producer(kafka);
          SinkApp sink = new SinkApp(SinkConfig.from(settings))) {
        sink.start();
        for (RollupData.Out o : data.records.subList(0, half)) {
          Fixtures.send(producer, Fixtures.topics(kafka).rollups().name(), o.key(), o.value());
        }
        Fixtures.awaitCaughtUp(sink, Duration.ofSeconds(60));

        pg.close();
        for (RollupData.Out o : data.records.subList(half, data.records.size())) {
          Fixtures.send(producer, Fixtures.topics(kafka).rollups().name(), o.key(), o.value());
        }
        // Longer than max.poll.interval.ms (6 s): the member must stay in the group meanwhile.
        long failuresBefore = sink.stats().transientFailures();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> sink.stats().transientFailures() >= failuresBefore + 6);
        assertThat(sink.isRunning()).isTrue();

        pg = EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(dir, port));
        Fixtures.awaitCaughtUp(sink, Duration.ofSeconds(60));

        assertThat(RollupData.actualRows(db)).containsExactlyElementsOf(data.expectedRows());
        assertThat(sink.stats().recordsCommitted()).isEqualTo(data.records.size());
        assertThat(sink.stats().partitionsRevoked()).isZero();
        assertThat(sink.stats().commitsRejected()).isZero();
      }
    } finally {
      pg.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
