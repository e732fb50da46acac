package dev.hourglass.streams;

import dev.hourglass.avro.EventValidator;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.avro.Violation;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.events.TaskEventKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.TestInputTopic;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where the processor's time per record goes, piece by piece: decode and validate an event, turn it
 * into a delta, add the delta to its window, encode and decode the window and the stats for their
 * stores, and the whole topology per record in a {@link
 * org.apache.kafka.streams.TopologyTestDriver} (no broker). Not a test: run it with the command in
 * {@code streams-processor/BENCHMARKS.md}.
 *
 * <p>The events look like ProcessorThroughputBenchmark's: agent events for the single-step
 * benchmarks (the family with the most measures), and a third per family, 200 organizations, in
 * time order over three hours for the topology.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class AggregationBenchmark {
  private static final SingleObjectFormat FORMAT = SingleObjectFormat.standard();
  private static final String AGENT_TOPIC = "hourglass.agent-events";
  private static final Instant WALL = Driver.WALL_START;

  private byte[] agentBytes;
  private AgentEvent agent;
  private EventValidator validator;
  private Measures delta;
  private final Measures scratch = Families.AGENT.empty();
  private WindowState window;
  private byte[] windowBytes;
  private Stats stats;
  private byte[] statsBytes;

  @Setup
  public void setUp() {
    agent = agentEvent(new Random(7), uuid("org-0"), WALL.minus(Duration.ofMinutes(30)));
    agentBytes = FORMAT.encode(agent);
    validator = EventValidator.standard(Clock.fixed(WALL, ZoneOffset.UTC));
    delta = Families.AGENT.measure(agent);
    // A window that has seen 500 events with various durations: a dozen histogram buckets.
    Random random = new Random(11);
    Measures m = Families.AGENT.empty();
    for (int i = 0; i < 500; i++) {
      m =
          m.plusExact(
              Families.AGENT.measure(agentEvent(random, uuid("org-0"), agent.getOccurredAt())));
    }
    window =
        new WindowState(
            agent.getOrganizationId(),
            agent.getAgentId(),
            agent.getAgentType(),
            WindowState.windowStartOf(agent.getOccurredAt().toEpochMilli()),
            3,
            true,
            m);
    windowBytes = StateCodec.window(window);
    stats = new Stats();
    stats.counted = 123_456;
    stats.duplicatesSuppressed = 12;
    stats.lateCorrected = 3;
    stats.streamTime = WALL.toEpochMilli();
    stats.deadLettered("INVALID_KEY");
    statsBytes = StateCodec.stats(stats);
  }

  /** Single-object Avro bytes to an event, as the processor's first step does. */
  @Benchmark
  public SpecificRecord decodeEvent() {
    return FORMAT.decode(AGENT_TOPIC, agentBytes);
  }

  @Benchmark
  public Optional<Violation> validateEvent() {
    return validator.validate(agent);
  }

  /** What one event adds to its window (a fresh {@link Measures}). */
  @Benchmark
  public Measures measureEvent() {
    return Families.AGENT.measure(agent);
  }

  /**
   * What one event adds to an open window, written into the processor's one reused instance: the
   * path of most events since the delta stopped being allocated per event.
   */
  @Benchmark
  public Measures measureEventIntoScratch() {
    return Families.AGENT.measure(agent, scratch.clear());
  }

  /** Adding a delta to a window as a copy ({@code plusExact}): the update path before in-place. */
  @Benchmark
  public WindowState addToWindow() {
    return window.with(window.measures().plusExact(delta));
  }

  /**
   * What the processor does per event since adding in place: check the delta against the window
   * ({@code checkAddable}), then add it ({@code add}). The benchmark's window keeps growing by one
   * event per call, far from overflowing.
   */
  @Benchmark
  public Measures addToWindowInPlace() {
    Measures m = window.measures();
    m.checkAddable(delta);
    m.add(delta);
    return m;
  }

  /** The window's store key, built per event to look the window up. */
  @Benchmark
  public String windowKey() {
    return WindowState.key(window.organizationId(), window.entityKey(), window.windowStart());
  }

  @Benchmark
  public byte[] encodeWindow() {
    return StateCodec.window(window);
  }

  @Benchmark
  public WindowState decodeWindow() {
    return StateCodec.window(windowBytes);
  }

  @Benchmark
  public byte[] encodeStats() {
    return StateCodec.stats(stats);
  }

  @Benchmark
  public Stats decodeStats() {
    return StateCodec.stats(statsBytes);
  }

  @Benchmark
  public String statsJson() {
    return stats.toJson();
  }

  /**
   * The whole topology per record, with the default configuration (exactly-once settings, default
   * cache), in a TopologyTestDriver. A fresh driver and state directory per iteration, so every
   * event_id is new; the mocked wall clock moves one second (one emit interval) every 16,384
   * records, so updates are published as on a broker at that rate. The driver commits with a forced
   * checkpoint after every record (a real stream thread commits once per commit interval and
   * checkpoints far less often), which flushes the RocksDB dedup store each time: this figure
   * overstates the store costs, see BENCHMARKS.md.
   */
  @State(Scope.Thread)
  public static class Pipeline {
    static final int EVENTS = 1 << 19;
    static final int TICK = 1 << 14;

    byte[][] keys;
    byte[][] values;
    int[] topic;
    Path stateDir;
    Driver driver;
    List<TestInputTopic<byte[], byte[]>> inputs;
    int next;

    @Setup(Level.Trial)
    public void generate() {
      keys = new byte[EVENTS][];
      values = new byte[EVENTS][];
      topic = new int[EVENTS];
      Random random = new Random(42);
      String[] orgs = new String[200];
      for (int i = 0; i < orgs.length; i++) {
        orgs[i] = uuid("org-" + i);
      }
      Instant base = WALL.minus(Duration.ofHours(4));
      long span = Duration.ofHours(3).toMillis();
      for (int i = 0; i < EVENTS; i++) {
        String org = orgs[random.nextInt(orgs.length)];
        Instant at = base.plusMillis(span * i / EVENTS);
        SpecificRecord event =
            switch (i % 3) {
              case 0 -> taskEvent(random, org, at);
              case 1 -> agentEvent(random, org, at);
              default -> integrationEvent(random, org, at);
            };
        keys[i] = org.getBytes(StandardCharsets.UTF_8);
        values[i] = FORMAT.encode(event);
        topic[i] = i % 3;
      }
    }

    @Setup(Level.Iteration)
    public void start() throws IOException {
      stateDir = Files.createTempDirectory("hourglass-jmh-state");
      driver = new Driver(stateDir);
      inputs = List.of(driver.tasks, driver.agents, driver.integrations);
      next = 0;
    }

    @TearDown(Level.Iteration)
    public void stop() throws IOException {
      driver.close();
      try (Stream<Path> files = Files.walk(stateDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(AggregationBenchmark::delete);
      }
    }

    void pipeNext() {
      // Past the end the events repeat: duplicates, a cheaper path. EVENTS is sized to be enough.
      int i = next++ & (EVENTS - 1);
      inputs.get(topic[i]).pipeInput(keys[i], values[i]);
      if ((next & (TICK - 1)) == 0) {
        driver.tick();
      }
    }
  }

  /** One record through source, processor, stores and sinks in TopologyTestDriver. */
  @Benchmark
  public void topologyPerRecord(Pipeline t) {
    t.pipeNext();
  }

  private static void delete(Path p) {
    try {
      Files.delete(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String uuid(String name) {
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  static TaskEvent taskEvent(Random random, String org, Instant at) {
    return TaskEvent.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setOccurredAt(at)
        .setOrganizationId(org)
        .setProjectId(uuid(org + random.nextInt(5)))
        .setTaskId(UUID.randomUUID().toString())
        .setKind(TaskEventKind.values()[random.nextInt(6)])
        .setPriority(3)
        .setEstimatedHours(2.5)
        .setActualHours(random.nextBoolean() ? 1.25 : null)
        .setTitle("Fix the flaky build on main")
        .setMetadata(Map.of("source", "bench"))
        .build();
  }

  static AgentEvent agentEvent(Random random, String org, Instant at) {
    return AgentEvent.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setOccurredAt(at)
        .setOrganizationId(org)
        .setAgentId(uuid(org + "agent" + random.nextInt(5)))
        .setAgentType("codegen")
        .setAgentTaskId(UUID.randomUUID().toString())
        .setKind(AgentEventKind.values()[random.nextInt(3)])
        .setTokensUsed(random.nextInt(10_000))
        .setCostMicros(random.nextInt(100_000))
        .setPerformanceScore(0.5)
        .setDurationMs((long) random.nextInt(600_000))
        .build();
  }

  static IntegrationEvent integrationEvent(Random random, String org, Instant at) {
    return IntegrationEvent.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setOccurredAt(at)
        .setOrganizationId(org)
        .setIntegrationType(random.nextBoolean() ? "github" : "slack")
        .setEventType("pull_request.opened")
        .setStatus(random.nextInt(20) == 0 ? IntegrationStatus.ERROR : IntegrationStatus.SUCCESS)
        .setProcessed(true)
        .setLatencyMs(random.nextInt(5_000))
        .build();
  }
}
