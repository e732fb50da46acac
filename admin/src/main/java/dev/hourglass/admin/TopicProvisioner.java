package dev.hourglass.admin;

import dev.hourglass.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the pipeline's topics ({@link Topics#BASES}) with {@link TopicSettings}, and only
 * creates: an existing topic is never altered. Running it again is harmless; an existing topic
 * whose partitions, replication factor or any configured topic config differ is reported in the
 * {@link ProvisionResult}, setting by setting, expected against actual.
 */
public final class TopicProvisioner {
  private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

  private final Admin admin;
  private final Duration timeout;

  /** Uses {@code admin} (not closed here); each admin call waits at most {@code timeout}. */
  public TopicProvisioner(Admin admin, Duration timeout) {
    this.admin = admin;
    this.timeout = timeout;
  }

  /** Connects to {@code bootstrapServers}, provisions, disconnects. */
  public static ProvisionResult provision(String bootstrapServers, TopicSettings settings) {
    return provision(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), settings);
  }

  /**
   * Connects with {@code clientProperties} (bootstrap servers and security, a principal that may
   * create topics), provisions, disconnects.
   */
  public static ProvisionResult provision(
      Map<String, Object> clientProperties, TopicSettings settings) {
    try (Admin admin = Admin.create(clientProperties)) {
      return new TopicProvisioner(admin, Duration.ofSeconds(30)).provision(settings);
    }
  }

  /**
   * Creates the missing topics and compares the existing ones.
   *
   * @throws IllegalStateException when the cluster cannot be reached or refuses a creation
   */
  public ProvisionResult provision(TopicSettings settings) {
    Topics names = settings.names();
    Map<String, String> baseByName = new LinkedHashMap<>();
    for (String base : Topics.BASES) {
      baseByName.put(names.name(base), base);
    }
    Set<String> existing = new HashSet<>(get(admin.listTopics().names(), "list topics"));
    List<String> created = new ArrayList<>();
    Set<String> toCompare = new TreeSet<>();
    List<NewTopic> missing = new ArrayList<>();
    for (Map.Entry<String, String> e : baseByName.entrySet()) {
      if (existing.contains(e.getKey())) {
        toCompare.add(e.getKey());
      } else {
        missing.add(
            new NewTopic(e.getKey(), settings.partitions(), settings.replicationFactor())
                .configs(settings.configs().get(e.getValue())));
      }
    }
    if (!missing.isEmpty()) {
      Map<String, KafkaFuture<Void>> futures = admin.createTopics(missing).values();
      for (NewTopic topic : missing) {
        try {
          get(futures.get(topic.name()), "create topic " + topic.name());
          created.add(topic.name());
        } catch (IllegalStateException ex) {
          if (ex.getCause() instanceof TopicExistsException) {
            // Created by someone else since we listed: compare it like any existing topic.
            toCompare.add(topic.name());
          } else {
            throw ex;
          }
        }
      }
    }
    awaitLeaders(created);
    List<String> unchanged = new ArrayList<>();
    List<ProvisionResult.TopicMismatch> mismatched = new ArrayList<>();
    if (!toCompare.isEmpty()) {
      Map<String, TopicDescription> descriptions =
          get(admin.describeTopics(toCompare).allTopicNames(), "describe topics " + toCompare);
      List<ConfigResource> resources =
          toCompare.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
      Map<ConfigResource, Config> configs =
          get(admin.describeConfigs(resources).all(), "describe configs of " + toCompare);
      for (String topic : toCompare) {
        List<ProvisionResult.Difference> differences =
            differences(
                settings,
                settings.configs().get(baseByName.get(topic)),
                descriptions.get(topic),
                configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic)));
        if (differences.isEmpty()) {
          unchanged.add(topic);
        } else {
          mismatched.add(new ProvisionResult.TopicMismatch(topic, differences));
        }
      }
    }
    ProvisionResult result = new ProvisionResult(created, unchanged, mismatched);
    if (result.matches()) {
      LOG.info("{}: created {}, unchanged {}", result.message(), created, unchanged);
    } else {
      LOG.warn(result.message());
    }
    return result;
  }

  /**
   * Waits until the leader of every partition of {@code topics} answers for it. A topic is in the
   * metadata a moment before its broker hosts it; a producer that sends in that moment gets errors
   * it retries, and the Kafka 4.3 idempotent producer was seen to leave such a partition's batches
   * unsent until delivery.timeout.ms. Listing offsets goes to the partition's leader, so when it
   * succeeds for all, the topics take records.
   */
  void awaitLeaders(List<String> topics) {
    if (topics.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        Map<String, TopicDescription> descriptions =
            admin
                .describeTopics(topics)
                .allTopicNames()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        descriptions.forEach(
            (name, d) ->
                d.partitions()
                    .forEach(
                        p ->
                            partitions.put(
                                new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        admin.listOffsets(partitions).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "topics " + topics + " created but not ready within " + timeout + ": " + e.getCause(),
              e.getCause());
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      } catch (TimeoutException e) {
        throw new IllegalStateException(
            "topics " + topics + " created but not ready within " + timeout, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for topics " + topics, e);
      }
    }
  }

  static List<ProvisionResult.Difference> differences(
      TopicSettings settings,
      Map<String, String> expectedConfigs,
      TopicDescription description,
      Config actualConfigs) {
    List<ProvisionResult.Difference> out = new ArrayList<>();
    List<TopicPartitionInfo> partitions = description.partitions();
    if (partitions.size() != settings.partitions()) {
      out.add(
          new ProvisionResult.Difference(
              "partitions",
              Integer.toString(settings.partitions()),
              Integer.toString(partitions.size())));
    }
    Set<Integer> replicas = new TreeSet<>();
    for (TopicPartitionInfo p : partitions) {
      replicas.add(p.replicas().size());
    }
    if (!replicas.equals(Set.of((int) settings.replicationFactor()))) {
      out.add(
          new ProvisionResult.Difference(
              "replication.factor",
              Short.toString(settings.replicationFactor()),
              replicas.size() == 1 ? replicas.iterator().next().toString() : replicas.toString()));
    }
    for (Map.Entry<String, String> e : expectedConfigs.entrySet()) {
      ConfigEntry actual = actualConfigs.get(e.getKey());
      String value = actual == null ? null : actual.value();
      if (!e.getValue().equals(value)) {
        out.add(new ProvisionResult.Difference(e.getKey(), e.getValue(), String.valueOf(value)));
      }
    }
    return out;
  }

  private <T> T get(KafkaFuture<T> future, String what) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot " + what + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot " + what + ": no answer within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + what, e);
    }
  }
}
