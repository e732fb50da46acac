package dev.hourglass.bench;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a consumer group (the streams processor's application id) is behind the ends of its
 * topics, read through the Admin API: the records it has not yet committed as consumed.
 */
final class GroupLag implements AutoCloseable {
  private final Admin admin;
  private final String group;
  private final List<TopicPartition> partitions;

  GroupLag(String bootstrapServers, String group, Collection<String> topics) {
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    this.group = group;
    try {
      this.partitions =
          admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
              .flatMap(
                  d ->
                      d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
              .toList();
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      admin.close();
      throw failure("could not describe the topics " + topics, e);
    }
  }

  /** The sum of the topics' end offsets: every record written to them so far. */
  long endOffsets() {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
    try {
      return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
          .mapToLong(r -> r.offset())
          .sum();
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw failure("could not read the end offsets", e);
    }
  }

  /** The sum of the group's committed offsets over the topics (0 for a partition not committed). */
  long committed() {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
      return partitions.stream().map(offsets::get).mapToLong(o -> o == null ? 0 : o.offset()).sum();
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      throw failure("could not read the offsets of group " + group, e);
    }
  }

  @Override
  public void close() {
    admin.close();
  }

  private static IllegalStateException failure(String what, Exception e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    return new IllegalStateException(what + ": " + e.getMessage(), e);
  }
}
