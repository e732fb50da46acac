package dev.hourglass.streams;

import dev.hourglass.avro.AvroSerdes;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

/** The topology in a {@link TopologyTestDriver}, with typed inputs and outputs. */
final class Driver implements AutoCloseable {
  /** The mocked wall clock starts here; test events happen a few hours before. */
  static final Instant WALL_START = Instant.parse("2026-11-20T12:00:00Z");

  static final Instant H9 = Instant.parse("2026-11-20T09:00:00Z");

  private static final SingleObjectFormat FORMAT = SingleObjectFormat.standard();

  final Topics topics;
  final Routing routing;
  final TopologyTestDriver driver;
  final TestInputTopic<byte[], byte[]> tasks;
  final TestInputTopic<byte[], byte[]> agents;
  final TestInputTopic<byte[], byte[]> integrations;
  final TestOutputTopic<String, SpecificRecord> rollups;
  final TestOutputTopic<byte[], DeadLetter> deadLetters;
  final TestOutputTopic<String, String> stats;
  private final TestOutputTopic<String, Alert> alerts;
  final TestOutputTopic<String, String> alertsText;
  final RocksDBMemory rocksDBMemory;

  Driver(Path stateDir) {
    this(stateDir, Map.of());
  }

  Driver(Path stateDir, Map<String, String> overrides) {
    this(stateDir, overrides, 1);
  }

  /**
   * The driver runs one task per family, as partition 0 of every topic: with {@code partitions}
   * above 1, an organization whose key maps elsewhere is misrouted there.
   */
  Driver(Path stateDir, Map<String, String> overrides, int partitions) {
    this(stateDir, overrides, partitions, null);
  }

  /** With {@code live} rules (replaceable while the driver runs), or the configured ones. */
  Driver(Path stateDir, Map<String, String> overrides, int partitions, LiveRules live) {
    Map<String, String> values = new java.util.HashMap<>(overrides);
    values.put(ProcessorConfig.STATE_DIR, stateDir.toString());
    // TopologyTestDriver connects to nothing; the key is required all the same.
    values.putIfAbsent(ProcessorConfig.BOOTSTRAP_SERVERS, "localhost:9092");
    ProcessorConfig config = ProcessorConfig.from(values);
    topics = config.topics();
    routing = Routing.uniform(config.applicationId(), partitions);
    Topology topology =
        HourglassTopology.build(
            config, topics, live == null ? new LiveRules(config.rules()) : live, routing);
    rocksDBMemory = config.rocksDBMemory();
    Properties props = config.streamsProperties(rocksDBMemory);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test");
    driver = new TopologyTestDriver(topology, props, WALL_START);
    tasks = input(Family.TASK);
    agents = input(Family.AGENT);
    integrations = input(Family.INTEGRATION);
    rollups =
        driver.createOutputTopic(
            topics.rollups().name(),
            Serdes.String().deserializer(),
            AvroSerdes.anyRecord().deserializer());
    deadLetters =
        driver.createOutputTopic(
            topics.deadLetters().name(),
            Serdes.ByteArray().deserializer(),
            AvroSerdes.serde(DeadLetter.class).deserializer());
    stats =
        driver.createOutputTopic(
            topics.stats().name(), Serdes.String().deserializer(), Serdes.String().deserializer());
    alerts =
        driver.createOutputTopic(
            topics.alerts().name(),
            Serdes.String().deserializer(),
            AvroSerdes.serde(Alert.class).deserializer());
    alertsText =
        driver.createOutputTopic(
            topics.alerts().name(), Serdes.String().deserializer(), Serdes.String().deserializer());
  }

  private TestInputTopic<byte[], byte[]> input(Family family) {
    // Records carry the wall-clock start as their timestamp, as a producer's CreateTime would.
    return driver.createInputTopic(
        topics.events(family).name(),
        Serdes.ByteArray().serializer(),
        Serdes.ByteArray().serializer(),
        WALL_START,
        Duration.ZERO);
  }

  static byte[] key(String org) {
    return org.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] encode(SpecificRecord event) {
    return FORMAT.encode(event);
  }

  /** Pipes a valid event keyed by its organization onto the topic for its type. */
  void send(SpecificRecord event) {
    Family family = Family.ofEvent(event);
    byte[] key = key(family.organizationId(event));
    byte[] value = encode(event);
    switch (family) {
      case TASK -> tasks.pipeInput(key, value);
      case AGENT -> agents.pipeInput(key, value);
      case INTEGRATION -> integrations.pipeInput(key, value);
    }
  }

  void tick() {
    driver.advanceWallClockTime(Duration.ofSeconds(1));
  }

  void advance(Duration d) {
    driver.advanceWallClockTime(d);
  }

  List<SpecificRecord> rollups() {
    return rollups.readValuesToList();
  }

  List<KeyValue<String, Alert>> alerts() {
    return alerts.readKeyValuesToList();
  }

  /** The latest stats JSON per key. */
  Map<String, String> stats() {
    return stats.readKeyValuesToMap();
  }

  @Override
  public void close() {
    driver.close();
    rocksDBMemory.close();
  }
}
