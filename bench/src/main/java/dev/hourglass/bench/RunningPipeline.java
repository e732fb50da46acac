package dev.hourglass.bench;

import dev.hourglass.contract.Topics;
import dev.hourglass.loadgen.LoadGeneratorOptions;
import dev.hourglass.sink.SinkApp;
import dev.hourglass.sink.SinkConfig;
import dev.hourglass.streams.StreamsProcessorApp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * One benchmark phase's pipeline on the bench cluster: its own topics, a streams processor and a
 * sink running and ready, and what is needed to watch them.
 */
final class RunningPipeline implements AutoCloseable {
  private final BenchCluster cluster;
  private final Topics topics;
  private final StreamsProcessorApp streams;
  // Null when the caller runs the sink elsewhere (hourglass bench peers, in a process).
  private final SinkApp sink;
  // The raw-event path's sink when the sink's two paths run apart (sink.reads); null otherwise.
  private final SinkApp eventsSink;
  private String sinkGroup;
  private final GroupLag input;
  private final RollupWatch watch;

  private RunningPipeline(
      BenchCluster cluster,
      Topics topics,
      StreamsProcessorApp streams,
      SinkApp sink,
      SinkApp eventsSink,
      GroupLag input,
      RollupWatch watch) {
    this.cluster = cluster;
    this.topics = topics;
    this.streams = streams;
    this.sink = sink;
    this.eventsSink = eventsSink;
    this.input = input;
    this.watch = watch;
  }

  /**
   * Provisions the topics {@code bench-<name>.*} and starts the processor (application id {@code
   * bench-<name>}) and the sink (group {@code bench-<name>-sink}); returns once the processor runs.
   */
  static RunningPipeline start(BenchCluster cluster, String name) throws InterruptedException {
    return start(cluster, name, Sinks.ONE);
  }

  /** Where a pipeline's sink runs. */
  enum Sinks {
    /** One sink in this process, reading every topic. */
    ONE,
    /**
     * Two sinks in this process and one group: one reading the rollups, alerts and dead letters
     * ({@code sink.reads=derived}), one the raw events ({@code sink.reads=events}).
     */
    TWO_PATHS,
    /**
     * None here: the caller runs the sink ({@link #sinkConfig()}) elsewhere, as hourglass bench
     * peers does in a process of its own.
     */
    ELSEWHERE
  }

  /** As {@link #start(BenchCluster, String)}, with the sink placed as {@code sinks} says. */
  static RunningPipeline start(BenchCluster cluster, String name, Sinks sinks)
      throws InterruptedException {
    String prefix = "bench-" + name + ".";
    String applicationId = "bench-" + name;
    Topics topics = cluster.provision(prefix);
    StreamsProcessorApp streams =
        StreamsProcessorApp.start(cluster.processor(prefix, applicationId, Map.of()));
    SinkApp sink = null;
    SinkApp eventsSink = null;
    GroupLag input = null;
    try {
      String group = applicationId + "-sink";
      if (sinks == Sinks.TWO_PATHS) {
        sink = new SinkApp(cluster.sink(prefix, group, Map.of(SinkConfig.READS, "derived")));
        eventsSink = new SinkApp(cluster.sink(prefix, group, Map.of(SinkConfig.READS, "events")));
        eventsSink.start();
      } else if (sinks == Sinks.ONE) {
        sink = new SinkApp(cluster.sink(prefix, group));
      }
      if (sink != null) {
        sink.start();
      }
      input = new GroupLag(cluster.bootstrapServers(), applicationId, BenchCluster.inputs(topics));
      RollupWatch watch =
          RollupWatch.connect(cluster.jdbcUrl(), cluster.user(), cluster.password());
      BenchCluster.awaitRunning(streams);
      RunningPipeline running =
          new RunningPipeline(cluster, topics, streams, sink, eventsSink, input, watch);
      running.sinkGroup = applicationId + "-sink";
      return running;
    } catch (RuntimeException | InterruptedException e) {
      if (input != null) {
        input.close();
      }
      if (sink != null) {
        sink.close();
      }
      if (eventsSink != null) {
        eventsSink.close();
      }
      streams.close();
      throw e;
    }
  }

  Topics topics() {
    return topics;
  }

  /**
   * Starts sampling this pipeline; {@code sent} counts what the generator has sent. The rollup
   * windows watched start an hour before the earliest event time a load starting now can have.
   */
  PipelineSampler sampler(LongAdder sent, Duration interval) {
    Instant from =
        Instant.now()
            .minus(LoadGeneratorOptions.MIN_EVENT_SPAN)
            .minus(Duration.ofHours(1))
            .truncatedTo(ChronoUnit.HOURS);
    return new PipelineSampler(
        sent, input, watch, this::sinkLag, cluster.postgresPid(), from, interval);
  }

  /** Whether the processor has committed every event written to its input topics so far. */
  boolean processorCaughtUp() {
    return input.committed() >= input.endOffsets();
  }

  /** Records the sink in this process (both paths, when apart) has not committed yet. */
  long sinkLag() {
    return (sink == null ? 0 : sink.lag()) + (eventsSink == null ? 0 : eventsSink.lag());
  }

  /**
   * Waits until the rollup rows count {@code events} of this phase; returns the sampler's time of
   * the sample that saw it.
   */
  double awaitVisible(PipelineSampler sampler, long events) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (System.nanoTime() < deadline) {
      PipelineSampler.Sample s = sampler.last();
      if (s != null && s.visible() >= events) {
        return s.seconds();
      }
      checkRunning();
      Thread.sleep(50);
    }
    PipelineSampler.Sample s = sampler.last();
    throw new IllegalStateException(
        "after 10 minutes PostgreSQL's rollups count "
            + (s == null ? 0 : s.visible())
            + " of "
            + events
            + " events");
  }

  /** The settings of this pipeline's sink. */
  SinkConfig sinkConfig() {
    return sinkConfig(Map.of());
  }

  /** As {@link #sinkConfig()}, with {@code overrides} on top. */
  SinkConfig sinkConfig(Map<String, String> overrides) {
    return cluster.sink(topics.prefix(), sinkGroup, overrides);
  }

  /** Throws when the processor or the sink has stopped. */
  void checkRunning() {
    if (sink != null && sink.failure().isPresent()) {
      throw new IllegalStateException("the sink failed: " + sink.failure().get());
    }
    if (eventsSink != null && eventsSink.failure().isPresent()) {
      throw new IllegalStateException("the raw-event sink failed: " + eventsSink.failure().get());
    }
    if (streams.stateName().equals("ERROR")) {
      throw new IllegalStateException("the streams processor stopped with an error");
    }
  }

  @Override
  public void close() {
    try (streams;
        sink;
        eventsSink;
        input;
        watch) {
      // All closed, the processor last.
    }
  }
}
