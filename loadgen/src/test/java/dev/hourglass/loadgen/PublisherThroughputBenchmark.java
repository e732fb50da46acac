package dev.hourglass.loadgen;

import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topic;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.EmbeddedKafka;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.producer.EventPublisher;
import dev.hourglass.producer.PublisherConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
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
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.tools.ProducerPerformance;

/**
 * Not a test: EventPublisher throughput on the embedded broker, against Kafka's own {@code
 * ProducerPerformance} on the same broker with the same record size, acks, compression and
 * batching. The events are the load generator's, hence its place in this module. Run it with the
 * commands in {@code producer/BENCHMARKS.md}:
 *
 * <pre>
 * java -cp ... dev.hourglass.loadgen.PublisherThroughputBenchmark ratio 300000 5
 * </pre>
 *
 * <p>{@code ratio N RUNS}: both tools, RUNS alternating runs of N records each, medians and the
 * ratio. {@code grid N [compressions [lingers [batch KiBs [repeats]]]]}: EventPublisher alone over
 * compression none,lz4,zstd,snappy, linger 0,5,20 ms, batch 16,64,256 KiB by default, with the
 * compression rate Kafka measured (compressed / uncompressed bytes).
 */
public final class PublisherThroughputBenchmark {
  private static final int PARTITIONS = 6;
  private static final Pattern TOTAL =
      Pattern.compile("(\\d+) records sent, ([0-9.]+) records/sec");

  private PublisherThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "ratio";
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.temporary())) {
      List<SpecificRecord> events = events(n);
      int recordSize = averageSize(events);
      System.out.printf(
          Locale.ROOT,
          "%s, %d events, average encoded size %d bytes, %d partitions%n",
          Runtime.version(),
          n,
          recordSize,
          PARTITIONS);
      if (mode.equals("breakdown")) {
        breakdown(kafka, events, args.length > 2 ? Integer.parseInt(args[2]) : 3);
      } else if (mode.equals("grid")) {
        grid(
            kafka,
            events,
            args.length > 2
                ? List.of(args[2].split(","))
                : List.of("none", "lz4", "zstd", "snappy"),
            ints(args.length > 3 ? args[3] : "0,5,20"),
            ints(args.length > 4 ? args[4] : "16,64,256"),
            args.length > 5 ? Integer.parseInt(args[5]) : 1);
      } else {
        ratio(kafka, events, recordSize, args.length > 2 ? Integer.parseInt(args[2]) : 5);
      }
    }
  }

  private static void ratio(EmbeddedKafka kafka, List<SpecificRecord> events, int size, int runs)
      throws Exception {
    PublisherConfig config = PublisherConfig.defaults(kafka.bootstrapServers());
    // One warm-up of each, not counted: class loading, JIT, first segment files.
    publisherRun(kafka, config, events, "warm");
    toolRun(kafka, config, events.size(), size, "warm");
    double[] tool = new double[runs];
    double[] publisher = new double[runs];
    for (int r = 0; r < runs; r++) {
      tool[r] = toolRun(kafka, config, events.size(), size, "t" + r);
      publisher[r] = publisherRun(kafka, config, events, "p" + r).eventsPerSecond;
      System.out.printf(
          Locale.ROOT,
          "run %d: ProducerPerformance %.0f records/s, EventPublisher %.0f events/s%n",
          r,
          tool[r],
          publisher[r]);
    }
    double t = median(tool);
    double p = median(publisher);
    System.out.printf(
        Locale.ROOT,
        "compression %s, linger %d ms, batch %d: ProducerPerformance median %.0f records/s"
            + " (%.0f..%.0f), EventPublisher median %.0f events/s (%.0f..%.0f), ratio %.2f%n",
        config.compression(),
        config.linger().toMillis(),
        config.batchSize(),
        t,
        min(tool),
        max(tool),
        p,
        min(publisher),
        max(publisher),
        p / t);
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
    String prefix = "bench-" + run + ".";
    Topics topics = Topics.withPrefix(prefix);
    createTopics(kafka, topics.events().stream().map(Topic::name).toArray(String[]::new));
    long elapsed;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(properties(base))) {
      long started = System.nanoTime();
      for (int i = 0; i < bytes.size(); i++) {
        Family family = families == null ? Family.TASK : families.get(i);
        String topic = topics.events(family).name();
        producer.send(new ProducerRecord<>(topic, keys == null ? null : keys.get(i), bytes.get(i)));
      }
      producer.flush();
      elapsed = System.nanoTime() - started;
    }
    deleteTopics(kafka, prefix);
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
    String prefix = "bench-" + run + ".";
    Topics topics = Topics.withPrefix(prefix);
    createTopics(kafka, topics.events().stream().map(Topic::name).toArray(String[]::new));
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
        if (e instanceof TaskEvent t) {
          last = publisher.publish(t);
        } else if (e instanceof AgentEvent a) {
          last = publisher.publish(a);
        } else {
          last = publisher.publish((IntegrationEvent) e);
        }
      }
      publisher.flush();
      elapsed = System.nanoTime() - started;
      last.join();
      compression = compressionRate(clientId);
    }
    deleteTopics(kafka, prefix);
    return new Result(events.size() / (elapsed / 1e9), compression);
  }

  private static double toolRun(
      EmbeddedKafka kafka, PublisherConfig config, int n, int size, String run) throws Exception {
    String topic = "bench-" + run + ".perf";
    createTopics(kafka, topic);
    String[] args = {
      "--topic",
      topic,
      "--num-records",
      Integer.toString(n),
      "--record-size",
      Integer.toString(size),
      "--throughput",
      "-1",
      "--producer-props",
      "bootstrap.servers=" + kafka.bootstrapServers(),
      "acks=all",
      "enable.idempotence=true",
      "compression.type=" + config.compression(),
      "linger.ms=" + config.linger().toMillis(),
      "batch.size=" + config.batchSize(),
      "buffer.memory=" + config.bufferMemory(),
      "max.in.flight.requests.per.connection=" + config.maxInFlight()
    };
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      ProducerPerformance.main(args);
    } finally {
      System.setOut(stdout);
    }
    deleteTopics(kafka, "bench-" + run + ".");
    String output = captured.toString(StandardCharsets.UTF_8);
    double rate = -1;
    for (String line : output.split("\n")) {
      Matcher m = TOTAL.matcher(line);
      // The total line is the one with percentiles; it must count every record.
      if (m.find() && line.contains("50th")) {
        if (Long.parseLong(m.group(1)) != n) {
          throw new IllegalStateException("ProducerPerformance lost records: " + line);
        }
        rate = Double.parseDouble(m.group(2));
      }
    }
    if (rate < 0) {
      throw new IllegalStateException("no total line in ProducerPerformance output:\n" + output);
    }
    return rate;
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
   * The publisher's {@code compression-rate-avg} (compressed / uncompressed bytes), from the JMX
   * metrics of its producer, whose client id is {@code clientId} and a counter.
   */
  private static double compressionRate(String clientId) throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    for (ObjectName name :
        server.queryNames(
            new ObjectName("kafka.producer:type=producer-metrics,client-id=" + clientId + "-*"),
            null)) {
      return ((Number) server.getAttribute(name, "compression-rate-avg")).doubleValue();
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

  private static Admin admin(EmbeddedKafka kafka) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
  }

  private static void createTopics(EmbeddedKafka kafka, String... names) throws Exception {
    try (Admin admin = admin(kafka)) {
      admin
          .createTopics(
              Arrays.stream(names).map(t -> new NewTopic(t, PARTITIONS, (short) 1)).toList())
          .all()
          .get();
      // Sending into a topic its broker does not host yet stalls batches: wait until every
      // partition's leader answers (as TopicProvisioner does).
      awaitLeaders(admin, List.of(names));
    }
  }

  private static void awaitLeaders(Admin admin, List<String> topics) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin
            .describeTopics(topics)
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

  /** Keeps the disk small across many runs: each run's topics go when it is done. */
  private static void deleteTopics(EmbeddedKafka kafka, String prefix) throws Exception {
    try (Admin admin = admin(kafka)) {
      List<String> mine =
          admin.listTopics().names().get().stream().filter(t -> t.startsWith(prefix)).toList();
      admin.deleteTopics(mine).all().get();
    }
  }

  private static double median(double[] values) {
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
