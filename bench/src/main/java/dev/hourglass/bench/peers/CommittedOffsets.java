package dev.hourglass.bench.peers;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Whether a peer's consumer group has committed every record of its input topics so far. */
final class CommittedOffsets {
  private CommittedOffsets() {}

  /**
   * Whether {@code group}'s committed offsets reach the end of every partition of {@code topics} (a
   * partition it never committed counts from 0); {@code name} names the peer in errors.
   */
  static boolean reachEnd(Admin admin, String group, Collection<String> topics, String name) {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
      admin
          .describeTopics(topics)
          .allTopicNames()
          .get()
          .forEach(
              (topic, d) ->
                  d.partitions()
                      .forEach(
                          p ->
                              ends.put(
                                  new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
      for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e :
          admin.listOffsets(ends).all().get().entrySet()) {
        OffsetAndMetadata c = committed.get(e.getKey());
        if ((c == null ? 0 : c.offset()) < e.getValue().offset()) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading " + name + "'s lag", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot read " + name + "'s lag: " + e.getMessage(), e);
    }
  }
}
