package dev.hourglass.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The reference of send-to-rollup latency: the Kafka hop alone. A plain consumer reads the input
 * topics from their ends while the pipeline runs, and records, for each record, the time from its
 * producer timestamp (set at send) to its arrival here. Millisecond resolution (record timestamps
 * are milliseconds). Records stamped before {@code measureFromMillis} (warm-up) are not recorded.
 */
final class KafkaHop implements AutoCloseable {
  private final Histogram micros = new Histogram(3_600_000_000L, 3);
  private final CountDownLatch ready = new CountDownLatch(1);
  private final BackgroundLoop loop;

  private KafkaHop(String bootstrapServers, List<String> topics, long measureFromMillis) {
    this.loop =
        BackgroundLoop.start(
            "bench-kafka-hop", l -> consume(bootstrapServers, topics, measureFromMillis, l));
  }

  /** Starts reading and returns once the consumer sits at the topics' ends. */
  static KafkaHop start(String bootstrapServers, List<String> topics, long measureFromMillis)
      throws InterruptedException {
    KafkaHop hop = new KafkaHop(bootstrapServers, topics, measureFromMillis);
    if (!hop.ready.await(60, TimeUnit.SECONDS)) {
      hop.close();
      hop.loop.check("the Kafka hop consumer");
      throw new IllegalStateException("the Kafka hop consumer did not reach the topics' ends");
    }
    return hop;
  }

  private void consume(
      String bootstrapServers, List<String> topics, long measureFromMillis, BackgroundLoop loop) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            ConsumerConfig.CLIENT_ID_CONFIG,
            "bench-kafka-hop");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : topics) {
        consumer
            .partitionsFor(topic)
            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
      ready.countDown();
      while (loop.running()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          long now = System.currentTimeMillis();
          if (r.timestamp() >= measureFromMillis) {
            synchronized (micros) {
              micros.recordValue(Math.max(0, now - r.timestamp()) * 1_000);
            }
          }
        }
      }
    }
  }

  /** The recorded latencies in microseconds (a copy); rethrows what stopped the consumer. */
  Histogram histogram() {
    loop.check("reading the Kafka hop");
    synchronized (micros) {
      return micros.copy();
    }
  }

  @Override
  public void close() {
    loop.close();
  }
}
