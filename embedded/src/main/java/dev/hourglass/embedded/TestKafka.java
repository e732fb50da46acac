package dev.hourglass.embedded;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The broker as one test sees it: the shared {@link #bootstrapServers()} and a prefix of its own,
 * so that topics of different tests never meet. Name every topic through {@link #topic(String)}.
 * Tests receive one from {@link HourglassIT}; a benchmark outside JUnit builds one on its own
 * broker.
 */
public final class TestKafka {
  private static final Duration READ_DEADLINE = Duration.ofSeconds(30);

  private final String bootstrapServers;
  private final String prefix;

  /**
   * @param bootstrapServers the broker
   * @param prefix the start of every topic name, before a dot
   */
  public TestKafka(String bootstrapServers, String prefix) {
    this.bootstrapServers = bootstrapServers;
    this.prefix = prefix;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** This test's name for {@code base}: {@code <test prefix>.<base>}. */
  public String topic(String base) {
    return prefix + "." + base;
  }

  /** Creates this test's topics (names through {@link #topic(String)}) and waits for them. */
  public void createTopics(int partitions, String... bases) {
    List<NewTopic> topics =
        java.util.Arrays.stream(bases)
            .map(base -> new NewTopic(topic(base), partitions, (short) 1))
            .toList();
    try (Admin admin = admin()) {
      admin.createTopics(topics).all().get();
      awaitLeaders(admin, topics.stream().map(NewTopic::name).toList());
    } catch (ExecutionException e) {
      throw new EmbeddedServerException("cannot create topics " + names(topics), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedServerException("interrupted creating topics " + names(topics), e);
    }
  }

  /**
   * A topic is in the metadata a moment before its leader hosts it; a producer sending then was
   * seen to leave batches unsent until delivery.timeout.ms. Listing offsets is answered by each
   * partition's leader, so once it succeeds the topics take records.
   */
  private static void awaitLeaders(Admin admin, List<String> names)
      throws ExecutionException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin
            .describeTopics(names)
            .allTopicNames()
            .get()
            .forEach(
                (name, d) ->
                    d.partitions()
                        .forEach(
                            p ->
                                latest.put(
                                    new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        admin.listOffsets(latest).all().get();
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }

  /**
   * Every record of {@code topic} (a full name), keys as UTF-8 strings, read committed from the
   * start to the end offsets of now; what arrives within 30 s, so that a test asserting the count
   * fails rather than hangs.
   */
  public List<ConsumerRecord<String, byte[]>> records(String topic) {
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // Positions, not a count: transaction markers take offsets too.
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + READ_DEADLINE.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))
          && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  private static String names(Collection<NewTopic> topics) {
    return topics.stream().map(NewTopic::name).toList().toString();
  }
}
