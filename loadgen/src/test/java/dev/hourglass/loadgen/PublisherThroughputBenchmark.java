package dev.hourglass.loadgen;

import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.contract.Family;
import dev.hourglass.embedded.EmbeddedKafka;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.producer.EventPublisher;
import dev.hourglass.producer.PublisherConfig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Not a test: where EventPublisher's time goes on the embedded broker, and how compression and
 * batching change its throughput. The events are the load generator's, hence its place in this
 * module. EventPublisher against Kafka's own {@code ProducerPerformance} is {@code hourglass bench
 * pipeline}'s ratio. Run it with the commands in {@code producer/BENCHMARKS.md}:
 *
 * <pre>
 * java -cp ... dev.hourglass.loadgen.PublisherThroughputBenchmark breakdown 300000 3
 * </pre>
 *
 * <p>{@code breakdown N RUNS}: the full publish path against the same bytes sent by a plain
 * producer with the publisher's settings, keyed and unkeyed; medians of RUNS after a warm-up.
 * {@code grid N [compressions [lingers [batch KiBs [repeats]]]]}: EventPublisher alone over
 * compression none,lz4,zstd,snappy, linger 0,5,20 ms, batch 16,64,256 KiB by default, with the
 * compression rate Kafka measured (compressed / uncompressed bytes). {@code rate SECONDS [rates
 * [compressions [lingers [rounds [warm-up seconds]]]]]}: what each codec and linger costs per event
 * at fixed rates (0 = full speed), 1000,3000,10000,0 events/s, none,lz4,zstd,snappy, 5,20 ms, 2
 * rounds and 5 s by default ({@link FixedRateCost}).
 */
public final class PublisherThroughputBenchmark {
  private static final int PARTITIONS = 6;

  private PublisherThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "breakdown";
    if (!List.of("breakdown", "grid", "rate").contains(mode)) {
      throw new IllegalArgumentException("Invalid mode " + mode + ": breakdown, grid or rate");
    }
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.temporary())) {
      // The rate mode cycles over a pool of events; its first argument is seconds, not events.
      List<SpecificRecord> events = events(mode.equals("rate") ? 100_000 : n);
      int recordSize = averageSize(events);
      System.out.printf(
          Locale.ROOT,
          "%s, %d events, average encoded size %d bytes, %d partitions%n",
          Runtime.version(),
          events.size(),
          recordSize,
          PARTITIONS);
      if (mode.equals("breakdown")) {
        breakdown(kafka, events, args.length > 2 ? Integer.parseInt(args[2]) : 3);
      } else if (mode.equals("rate")) {
        FixedRateCost.run(
            kafka,
            events,
            n,
            args.length > 6 ? Integer.parseInt(args[6]) : 5,
            ints(args.length > 2 ? args[2] : "1000,3000,10000,0"),
            args.length > 3
                ? List.of(args[3].split(","))
                : List.of("none", "lz4", "zstd", "snappy"),
            ints(args.length > 4 ? args[4] : "5,20"),
            args.length > 5 ? Integer.parseInt(args[5]) : 2);
      } else {
        grid(
            kafka,
            events,
            args.length > 2
                ? List.of(args[2].split(","))
                : List.of("none", "lz4", "zstd", "snappy"),
            ints(args.length > 3 ? args[3] : "0,5,20"),
            ints(args.length > 4 ? args[4] : "16,64,256"),
            args.length > 5 ? Integer.parseInt(args[5]) : 1);
      }
    }
  }

  /**
   * Where the gap to ProducerPerformance comes from: the full publish path, the same bytes with the
   * same keys and topics but no validation or encoding, and the same bytes with no key to one topic
   * (ProducerPerformance's shape).
   */
  private static void breakdown(EmbeddedKafka kafka, List<SpecificRecord> events, int runs)
      throws Exception {
    PublisherConfig config = PublisherConfig.defaults(kafka.bootstrapServers());
    SingleObjectFormat format = SingleObjectFormat.standard();
    List<byte[]> bytes = events.stream().map(format::encode).toList();
    List<Family> families = events.stream().map(Family::ofEvent).toList();
    List<String> keys = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      keys.add(families.get(i).organizationId(events.get(i)));
    }
    double[][] rates = new double[3][runs];
    for (int r = -1; r < runs; r++) {
      double full = publisherRun(kafka, config, events, "b" + r).eventsPerSecond;
      double keyed = rawRun(kafka, config, bytes, keys, families, "k" + r);
      double unkeyed = rawRun(kafka, config, bytes, null, null, "u" + r);
      if (r >= 0) {
        rates[0][r] = full;
        rates[1][r] = keyed;
        rates[2][r] = unkeyed;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "medians: publish() %.0f/s; pre-encoded, keyed, 3 topics %.0f/s; pre-encoded, no key,"
            + " 1 topic %.0f/s%n",
        median(rates[0]),
        median(rates[1]),
        median(rates[2]));
  }

  private static double rawRun(
      EmbeddedKafka kafka,
      PublisherConfig base,
      List<byte[]> bytes,
      List<String> keys,
      List<Family> families,
      String run)
      throws Exception {
    TestKafka topics = createEventTopics(kafka, run);
    long elapsed;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(properties(base))) {
      long started = System.nanoTime();
      for (int i = 0; i < bytes.size(); i++) {
        Family family = families == null ? Family.TASK : families.get(i);
        String topic = topics.topic(family.eventTopicBase());
        producer.send(new ProducerRecord<>(topic, keys == null ? null : keys.get(i), bytes.get(i)));
      }
      producer.flush();
      elapsed = System.nanoTime() - started;
    }
    deleteTopics(topics);
    return bytes.size() / (elapsed / 1e9);
  }

  private static int[] ints(String csv) {
    return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  private static void grid(
      EmbeddedKafka kafka,
      List<SpecificRecord> events,
      List<String> compressions,
      int[] lingers,
      int[] batches,
      int repeats)
      throws Exception {
    publisherRun(kafka, PublisherConfig.defaults(kafka.bootstrapServers()), events, "warm");
    System.out.println(
        "compression | linger ms | batch KiB | events/s (median of "
            + repeats
            + ", min..max) | compression rate");
    int k = 0;
    for (String compression : compressions) {
      for (int linger : lingers) {
        for (int batch : batches) {
          PublisherConfig config =
              PublisherConfig.from(
                  Map.of(
                      "bootstrap.servers", kafka.bootstrapServers(),
                      "compression.type", compression,
                      "linger.ms", Integer.toString(linger),
                      "batch.size", Integer.toString(batch * 1024)));
          double[] rates = new double[repeats];
          double rate = 0;
          for (int r = 0; r < repeats; r++) {
            Result result = publisherRun(kafka, config, events, "g" + k++);
            rates[r] = result.eventsPerSecond;
            rate = result.compressionRate;
          }
          System.out.printf(
              Locale.ROOT,
              "%s | %d | %d | %.0f (%.0f..%.0f) | %.2f%n",
              compression,
              linger,
              batch,
              median(rates),
              min(rates),
              max(rates),
              rate);
        }
      }
    }
  }

  private record Result(double eventsPerSecond, double compressionRate) {}

  private static Result publisherRun(
      EmbeddedKafka kafka, PublisherConfig base, List<SpecificRecord> events, String run)
      throws Exception {
    TestKafka topics = createEventTopics(kafka, run);
    String prefix = topics.topic("");
    // A client id of the run's own: the compression rate is read from its JMX metrics.
    String clientId = "bench-" + run;
    PublisherConfig config =
        base.with(PublisherConfig.TOPIC_PREFIX, prefix).with(PublisherConfig.CLIENT_ID, clientId);
    double compression;
    long started;
    long elapsed;
    try (EventPublisher publisher = EventPublisher.create(config)) {
      CompletableFuture<RecordMetadata> last = null;
      started = System.nanoTime();
      for (SpecificRecord e : events) {
        last = publish(publisher, e);
      }
      publisher.flush();
      elapsed = System.nanoTime() - started;
      last.join();
      compression = producerMetric(clientId, "compression-rate-avg");
    }
    deleteTopics(topics);
    return new Result(events.size() / (elapsed / 1e9), compression);
  }

  static CompletableFuture<RecordMetadata> publish(EventPublisher publisher, SpecificRecord e) {
    if (e instanceof TaskEvent t) {
      return publisher.publish(t);
    } else if (e instanceof AgentEvent a) {
      return publisher.publish(a);
    }
    return publisher.publish((IntegrationEvent) e);
  }

  private static List<SpecificRecord> events(int n) {
    Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    EventGenerator g =
        new EventGenerator(1, n, 20, Duration.ofMinutes(10), Duration.ofHours(6), end, Map.of());
    List<SpecificRecord> out = new ArrayList<>(n);
    while (g.hasNext()) {
      out.add(g.next().event());
    }
    return out;
  }

  private static int averageSize(List<SpecificRecord> events) {
    SingleObjectFormat format = SingleObjectFormat.standard();
    long total = 0;
    for (SpecificRecord e : events) {
      total += format.encode(e).length;
    }
    return (int) Math.round((double) total / events.size());
  }

  /**
   * One of the publisher's producer metrics ({@code compression-rate-avg}: compressed /
   * uncompressed bytes; {@code batch-size-avg}), from the JMX metrics of its producer, whose client
   * id is {@code clientId} and a counter.
   */
  static double producerMetric(String clientId, String metric) throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    for (ObjectName name :
        server.queryNames(
            new ObjectName("kafka.producer:type=producer-metrics,client-id=" + clientId + "-*"),
            null)) {
      return ((Number) server.getAttribute(name, metric)).doubleValue();
    }
    return Double.NaN;
  }

  /** The publisher's producer settings, from the same config: the raw path differs in nothing. */
  private static Map<String, Object> properties(PublisherConfig config) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, config.maxInFlight());
    p.put(ProducerConfig.LINGER_MS_CONFIG, (int) config.linger().toMillis());
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, config.batchSize());
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.compression());
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, config.bufferMemory());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /**
   * The run's own event topics, {@code bench-<run>.<family>-events}, and its schemas topic, each
   * with {@value #PARTITIONS} partitions; returned once every partition takes records.
   */
  static TestKafka createEventTopics(EmbeddedKafka kafka, String run) {
    TestKafka topics = new TestKafka(kafka.bootstrapServers(), "bench-" + run);
    topics.createTopics(
        PARTITIONS,
        java.util.stream.Stream.concat(
                Arrays.stream(Family.values()).map(Family::eventTopicBase),
                java.util.stream.Stream.of(dev.hourglass.contract.Topics.SCHEMAS))
            .toArray(String[]::new));
    return topics;
  }

  /** Keeps the disk small across many runs: each run's topics go when it is done. */
  static void deleteTopics(TestKafka topics) throws Exception {
    try (Admin admin = topics.admin()) {
      List<String> mine =
          admin.listTopics().names().get().stream()
              .filter(t -> t.startsWith(topics.topic("")))
              .toList();
      admin.deleteTopics(mine).all().get();
    }
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int m = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }

  private static double min(double[] values) {
    return Arrays.stream(values).min().orElse(Double.NaN);
  }

  private static double max(double[] values) {
    return Arrays.stream(values).max().orElse(Double.NaN);
  }
}
