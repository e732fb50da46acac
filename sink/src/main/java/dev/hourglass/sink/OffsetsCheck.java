package dev.hourglass.sink;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * How far {@code sink_offsets} is behind the topics: per partition, the read-committed end offset
 * minus the stored next offset (no row counts as 0). All zero is invariant I4, "caught up".
 */
final class OffsetsCheck {
  private OffsetsCheck() {}

  static Map<TopicPartition, Long> lag(
      Admin admin, DataSource dataSource, String group, List<String> topics)
      throws SQLException, InterruptedException {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (String topic : topics) {
      try {
        TopicDescription d =
            admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(30, TimeUnit.SECONDS)
                .get(topic);
        d.partitions()
            .forEach(
                p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw new IllegalStateException("cannot describe topic " + topic, e.getCause());
        }
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("Kafka did not describe topic " + topic + " in 30 s", e);
      }
    }
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends;
    try {
      ends =
          admin
              .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
              .all()
              .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot list end offsets of " + topics, e);
    }
    Map<TopicPartition, Long> stored;
    try (Connection c = dataSource.getConnection()) {
      stored = new OffsetStore(group).load(c, new ArrayList<>(ends.keySet()));
      c.commit();
    }
    Map<TopicPartition, Long> lag = new HashMap<>();
    ends.forEach(
        (tp, end) -> {
          long next = Math.max(0, stored.getOrDefault(tp, OffsetStore.NONE));
          lag.put(tp, end.offset() - next);
        });
    return lag;
  }
}
