package dev.hourglass.cli;

import dev.hourglass.embedded.TestDatabase;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.sink.SinkConfig;
import dev.hourglass.streams.ProcessorConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The processor and the sink as the client tests run them: on the test's own topics and database,
 * committing and emitting every 200 ms so that a handful of records shows up in seconds.
 */
final class ClientPipeline {
  private ClientPipeline() {}

  static ProcessorConfig processorConfig(TestKafka kafka, Path dir) {
    return processorConfig(kafka, dir, Map.of());
  }

  /** The processor's settings, plus {@code more}. */
  static ProcessorConfig processorConfig(TestKafka kafka, Path dir, Map<String, String> more) {
    Map<String, String> settings =
        new java.util.HashMap<>(
            Map.of(
                ProcessorConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                ProcessorConfig.APPLICATION_ID, kafka.topic("app"),
                ProcessorConfig.TOPIC_PREFIX, kafka.topic(""),
                ProcessorConfig.STATE_DIR, dir.resolve("streams-state").toString(),
                ProcessorConfig.EMIT_INTERVAL_MS, "200",
                ProcessorConfig.COMMIT_INTERVAL_MS, "200"));
    settings.putAll(more);
    return ProcessorConfig.from(settings);
  }

  static SinkConfig sinkConfig(TestKafka kafka, TestDatabase db) {
    return SinkConfig.from(
        Map.of(
            "bootstrap.servers",
            kafka.bootstrapServers(),
            "topic.prefix",
            kafka.topic(""),
            SinkConfig.GROUP_ID,
            kafka.topic("sink"),
            "jdbc.url",
            db.jdbcUrl(),
            "jdbc.user",
            db.user(),
            "jdbc.password",
            db.password(),
            SinkConfig.BATCH_MAX_WAIT_MS,
            "100"));
  }

  /** Each row of {@code sql}'s result as its columns joined by {@code |} (null as "null"). */
  static List<String> rows(TestDatabase db, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getString(i));
        }
        out.add(String.join("|", row));
      }
    }
    return out;
  }
}
