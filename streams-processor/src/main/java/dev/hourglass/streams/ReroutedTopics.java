package dev.hourglass.streams;

import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start, before the topology is built: reads each event topic's partition count (the {@link
 * Routing} the topology needs) and makes sure each family's rerouted topic exists with the same
 * count, as Kafka Streams does for its own repartition topics. A rerouted topic with another count
 * would send records to a task that does not own them, so the processor refuses to start.
 */
final class ReroutedTopics {
  private static final Logger LOG = LoggerFactory.getLogger(ReroutedTopics.class);
  private static final long TIMEOUT_S = 60;

  private ReroutedTopics() {}

  static Routing prepare(Admin admin, String applicationId, Topics topics) {
    try {
      Map<Family, Integer> partitions = new EnumMap<>(Family.class);
      Map<Family, TopicDescription> inputs = new EnumMap<>(Family.class);
      for (Family family : Family.values()) {
        TopicDescription d = describe(admin, topics.events(family).name());
        inputs.put(family, d);
        partitions.put(family, d.partitions().size());
      }
      Routing routing = new Routing(applicationId, partitions);
      List<NewTopic> missing = new ArrayList<>();
      for (Family family : Family.values()) {
        String name = routing.reroutedTopic(family);
        if (!admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS).contains(name)) {
          missing.add(newTopic(admin, name, inputs.get(family)));
        }
      }
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing).all().get(TIMEOUT_S, TimeUnit.SECONDS);
          LOG.info("Created rerouted topics {}", missing.stream().map(NewTopic::name).toList());
          awaitLeaders(admin, missing);
        } catch (ExecutionException e) {
          // Another instance created them first: checked below like any existing topic.
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      for (Family family : Family.values()) {
        String name = routing.reroutedTopic(family);
        int count = describe(admin, name).partitions().size();
        if (count != routing.partitions(family)) {
          throw new IllegalStateException(
              "Invalid partition count "
                  + count
                  + " for topic "
                  + name
                  + ": must equal the "
                  + routing.partitions(family)
                  + " partitions of "
                  + topics.events(family).name()
                  + " (delete it, with the application reset tool, and restart)");
        }
      }
      return routing;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Could not prepare the rerouted topics: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while preparing the rerouted topics", e);
    }
  }

  /**
   * A new topic is in the metadata a moment before its leaders serve it; listing its offsets is
   * answered by each partition's leader, so once that succeeds the task's producer can write. The
   * topics are described first: listing offsets of a topic not yet in the metadata makes the admin
   * client log an error on a healthy start.
   */
  private static void awaitLeaders(Admin admin, List<NewTopic> created)
      throws ExecutionException, InterruptedException, TimeoutException {
    List<String> names = created.stream().map(NewTopic::name).toList();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (NewTopic t : created) {
      for (int p = 0; p < t.numPartitions(); p++) {
        latest.put(new TopicPartition(t.name(), p), OffsetSpec.latest());
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
    while (true) {
      try {
        admin.describeTopics(names).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS);
        admin.listOffsets(latest).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50); // bounded by the deadline; Admin has no call that waits for leaders
      }
    }
  }

  private static TopicDescription describe(Admin admin, String name)
      throws ExecutionException, InterruptedException, TimeoutException {
    return admin
        .describeTopics(List.of(name))
        .allTopicNames()
        .get(TIMEOUT_S, TimeUnit.SECONDS)
        .get(name);
  }

  /**
   * Same partitions and replication as the event topic; its retention too, because a rerouted
   * record is needed for as long as its event could still be waiting to be processed.
   */
  private static NewTopic newTopic(Admin admin, String name, TopicDescription input)
      throws ExecutionException, InterruptedException, TimeoutException {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, input.name());
    Config config =
        admin
            .describeConfigs(List.of(resource))
            .all()
            .get(TIMEOUT_S, TimeUnit.SECONDS)
            .get(resource);
    Map<String, String> settings = new HashMap<>();
    settings.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
    for (String key :
        List.of(TopicConfig.RETENTION_MS_CONFIG, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG)) {
      ConfigEntry entry = config.get(key);
      if (entry != null && entry.value() != null) {
        settings.put(key, entry.value());
      }
    }
    short replication = (short) input.partitions().get(0).replicas().size();
    return new NewTopic(name, input.partitions().size(), replication).configs(settings);
  }
}
