package dev.hourglass.streams;

import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.EmbeddedKafka;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Not a test: how many records per second the processor sustains on this machine, as a ratio to
 * what a plain KafkaConsumer reads from the same topics in the same run, and exactly-once against
 * at-least-once. See BENCHMARKS.md for the command and the figures.
 *
 * <p>Arguments: {@code [events] [partitions] [runs]}, default 600000 4 2.
 */
public final class ProcessorThroughputBenchmark {
  private static final SingleObjectFormat FORMAT = SingleObjectFormat.standard();
  private static final String PREFIX = "bench.";
  private static final Map<String, List<Double>> CPU = new HashMap<>();
  private static final Map<String, List<Double>> JVM_CPU = new HashMap<>();

  private ProcessorThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 600_000;
    int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.temporary())) {
      String bootstrap = kafka.bootstrapServers();
      Topics topics = Topics.withPrefix(PREFIX);
      List<String> inputs =
          List.of(
              topics.events(Family.TASK).name(),
              topics.events(Family.AGENT).name(),
              topics.events(Family.INTEGRATION).name());
      try (Admin admin =
          Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        List<NewTopic> all = new ArrayList<>();
        for (String t :
            List.of(
                inputs.get(0),
                inputs.get(1),
                inputs.get(2),
                topics.rollups().name(),
                topics.alerts().name(),
                topics.deadLetters().name(),
                topics.stats().name(),
                topics.schemas().name())) {
          all.add(new NewTopic(t, partitions, (short) 1));
        }
        admin.createTopics(all).all().get();
      }
      long bytes = fill(bootstrap, topics, events);
      events = (int) endOffsets(bootstrap, inputs);
      System.out.printf(
          Locale.ROOT,
          "input: %d events, %d partitions per topic, %.0f bytes per value on average%n",
          events,
          partitions,
          (double) bytes / events);

      Map<String, List<Double>> rates = new HashMap<>();
      for (int run = 1; run <= runs; run++) {
        record("consumer", rates, consumerRate(bootstrap, inputs, events));
        List<String> variants =
            new ArrayList<>(List.of("at_least_once", "exactly_once_v2", "exactly_once_v2@100ms"));
        if (run % 2 == 0) {
          // Alternate the order, so that JIT warm-up and machine noise favour no variant.
          java.util.Collections.reverse(variants);
        }
        for (String variant : variants) {
          record(variant, rates, processorRate(bootstrap, inputs, events, variant, run));
        }
      }
      double consumer = median(rates.get("consumer"));
      double alos = median(rates.get("at_least_once"));
      double eos = median(rates.get("exactly_once_v2"));
      double eos100 = median(rates.get("exactly_once_v2@100ms"));
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "consumer (reference)      %,10.0f records/s %s%n",
          consumer,
          rates.get("consumer"));
      System.out.printf(
          Locale.ROOT,
          "processor at_least_once   %,10.0f records/s %s%n",
          alos,
          rates.get("at_least_once"));
      System.out.printf(
          Locale.ROOT,
          "processor exactly_once_v2 %,10.0f records/s %s%n",
          eos,
          rates.get("exactly_once_v2"));
      System.out.printf(
          Locale.ROOT,
          "  same, commit 100 ms     %,10.0f records/s %s%n",
          eos100,
          rates.get("exactly_once_v2@100ms"));
      for (String variant : List.of("at_least_once", "exactly_once_v2", "exactly_once_v2@100ms")) {
        System.out.printf(
            Locale.ROOT,
            "%-24s %6.1f µs CPU/record stream thread %s, %6.1f whole JVM %s%n",
            variant,
            median(CPU.get(variant)),
            round(CPU.get(variant)),
            median(JVM_CPU.get(variant)),
            round(JVM_CPU.get(variant)));
      }
      System.out.printf(
          Locale.ROOT, "R_processor = EOS / consumer        = %.3f%n", eos / consumer);
      System.out.printf(Locale.ROOT, "R_eos = EOS / ALOS (commit 1000 ms) = %.3f%n", eos / alos);
      System.out.printf(Locale.ROOT, "R_eos = EOS / ALOS (commit 100 ms)  = %.3f%n", eos100 / alos);
    }
  }

  private static void record(String name, Map<String, List<Double>> rates, double rate) {
    System.out.printf(Locale.ROOT, "%-24s %,10.0f records/s%n", name, rate);
    rates.computeIfAbsent(name, k -> new ArrayList<>()).add(Math.rint(rate));
  }

  private static List<Double> round(List<Double> values) {
    return values.stream().map(v -> Math.rint(v * 10) / 10).toList();
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Valid events in time order over three hours, 200 organizations, a third per family. */
  private static long fill(String bootstrap, Topics topics, int events) throws Exception {
    Random random = new Random(42);
    List<String> orgs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      orgs.add(uuid("org-" + i));
    }
    Instant base =
        Instant.now().minus(Duration.ofHours(4)).truncatedTo(java.time.temporal.ChronoUnit.HOURS);
    long span = Duration.ofHours(3).toMillis();
    long bytes = 0;
    java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.LINGER_MS_CONFIG,
                20,
                ProducerConfig.BATCH_SIZE_CONFIG,
                256 * 1024,
                // Filling only: on the loaded shared machine the idempotent producer met
                // OutOfOrderSequence loops on fresh topics; the record count is read back anyway.
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                false,
                ProducerConfig.ACKS_CONFIG,
                "1",
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                1),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (int i = 0; i < events; i++) {
        String org = orgs.get(random.nextInt(orgs.size()));
        Instant at = base.plusMillis(span * i / events);
        byte[] value;
        String topic;
        // The same kinds of events as AggregationBenchmark folds, built by the same code.
        switch (i % 3) {
          case 0 -> {
            topic = topics.events(Family.TASK).name();
            value = FORMAT.encode(AggregationBenchmark.taskEvent(random, org, at));
          }
          case 1 -> {
            topic = topics.events(Family.AGENT).name();
            value = FORMAT.encode(AggregationBenchmark.agentEvent(random, org, at));
          }
          default -> {
            topic = topics.events(Family.INTEGRATION).name();
            value = FORMAT.encode(AggregationBenchmark.integrationEvent(random, org, at));
          }
        }
        bytes += value.length;
        producer.send(
            new ProducerRecord<>(topic, org.getBytes(StandardCharsets.UTF_8), value),
            (metadata, e) -> {
              if (e != null) {
                failed.incrementAndGet();
              }
            });
      }
      producer.flush();
    }
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " sends failed");
    }
    return bytes;
  }

  private static String uuid(String name) {
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** A plain consumer reading every input record once: the reference. */
  private static double consumerRate(String bootstrap, List<String> topics, int events) {
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String t : topics) {
        consumer
            .partitionsFor(t)
            .forEach(p -> partitions.add(new TopicPartition(t, p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long start = System.nanoTime();
      long seen = 0;
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (seen < events) {
        seen += consumer.poll(Duration.ofMillis(100)).count();
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("read only " + seen + " of " + events + " records");
        }
      }
      return events / ((System.nanoTime() - start) / 1e9);
    }
  }

  /**
   * Starts the application on a fresh group and state directory and measures from its first
   * committed offset to the commit of the last input record (startup and rebalance excluded).
   */
  private static double processorRate(
      String bootstrap, List<String> inputs, int events, String variant, int run) throws Exception {
    String guarantee =
        variant.startsWith("exactly_once_v2")
            ? StreamsConfig.EXACTLY_ONCE_V2
            : StreamsConfig.AT_LEAST_ONCE;
    String commit = variant.endsWith("@100ms") ? "100" : "1000";
    String appId = "bench-" + variant.replace('@', '-') + "-" + run;
    Path state = Files.createTempDirectory("hourglass-bench-state-");
    ProcessorConfig config =
        ProcessorConfig.from(
            Map.of(
                ProcessorConfig.BOOTSTRAP_SERVERS, bootstrap,
                ProcessorConfig.APPLICATION_ID, appId,
                ProcessorConfig.TOPIC_PREFIX, PREFIX,
                ProcessorConfig.STATE_DIR, state.toString(),
                ProcessorConfig.PROCESSING_GUARANTEE, guarantee,
                ProcessorConfig.COMMIT_INTERVAL_MS, commit));
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        StreamsProcessorApp app = StreamsProcessorApp.start(config)) {
      long t0 = 0;
      long c0 = 0;
      long thread0 = 0;
      long jvm0 = 0;
      while (true) {
        if (app.state() == org.apache.kafka.streams.KafkaStreams.State.ERROR) {
          throw new IllegalStateException("the application failed; see the log");
        }
        Map<TopicPartition, OffsetAndMetadata> offsets =
            admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
        long committed =
            offsets.entrySet().stream()
                .filter(e -> inputs.contains(e.getKey().topic()) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset())
                .sum();
        long now = System.nanoTime();
        if (t0 == 0 && committed > 0) {
          t0 = now;
          c0 = committed;
          thread0 = streamThreadCpuNanos(appId);
          jvm0 = processCpuNanos();
        }
        if (committed >= events) {
          if (now == t0) {
            throw new IllegalStateException("run too short to measure; use more events");
          }
          // CPU per record holds better than records/s on a shared machine: it does not depend on
          // how much of a core the stream thread was given.
          double records = events - c0;
          double threadMicros = (streamThreadCpuNanos(appId) - thread0) / 1e3 / records;
          double jvmMicros = (processCpuNanos() - jvm0) / 1e3 / records;
          System.out.printf(
              Locale.ROOT,
              "%-24s %10.1f µs CPU/record in the stream thread, %.1f in the whole JVM%n",
              variant,
              threadMicros,
              jvmMicros);
          CPU.computeIfAbsent(variant, k -> new ArrayList<>()).add(threadMicros);
          JVM_CPU.computeIfAbsent(variant, k -> new ArrayList<>()).add(jvmMicros);
          return records / ((now - t0) / 1e9);
        }
        Thread.sleep(50);
      }
    } finally {
      try (Stream<Path> files = Files.walk(state)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** CPU time of the application's stream threads so far (not their producers' threads). */
  private static long streamThreadCpuNanos(String appId) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(appId + "-") && t.getName().contains("-StreamThread-")) {
        sum += Math.max(0, mx.getThreadCpuTime(t.getId()));
      }
    }
    return sum;
  }

  /** CPU time of this JVM so far: the processor, the broker, every client. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long endOffsets(String bootstrap, List<String> topics) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> specs = new HashMap<>();
      for (var d : admin.describeTopics(topics).allTopicNames().get().values()) {
        d.partitions()
            .forEach(
                p ->
                    specs.put(
                        new TopicPartition(d.name(), p.partition()),
                        org.apache.kafka.clients.admin.OffsetSpec.latest()));
      }
      return admin.listOffsets(specs).all().get().values().stream()
          .mapToLong(o -> o.offset())
          .sum();
    }
  }
}
