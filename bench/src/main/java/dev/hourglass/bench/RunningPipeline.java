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
  private String sinkGroup;
  private final GroupLag input;
  private final RollupWatch watch;

  private RunningPipeline(
      BenchCluster cluster,
      Topics topics,
      StreamsProcessorApp streams,
      SinkApp sink,
      GroupLag input,
      RollupWatch watch) {
    this.cluster = cluster;
    this.topics = topics;
    this.streams = streams;
    this.sink = sink;
    this.input = input;
    this.watch = watch;
  }

  /**
   * Provisions the topics {@code bench-<name>.*} and starts the processor (application id {@code
   * bench-<name>}) and the sink (group {@code bench-<name>-sink}); returns once the processor runs.
   */
  static RunningPipeline start(BenchCluster cluster, String name) throws InterruptedException {
    return start(cluster, name, true);
  }

  /**
   * As {@link #start(BenchCluster, String)}; without {@code withSink}, the caller runs the sink
   * ({@link #sinkConfig()}) elsewhere, as hourglass bench peers does in a process of its own.
   */
  static RunningPipeline start(BenchCluster cluster, String name, boolean withSink)
      throws InterruptedException {
    String prefix = "bench-" + name + ".";
    String applicationId = "bench-" + name;
    Topics topics = cluster.provision(prefix);
    StreamsProcessorApp streams =
        StreamsProcessorApp.start(cluster.processor(prefix, applicationId, Map.of()));
    SinkApp sink = null;
    GroupLag input = null;
    try {
      if (withSink) {
        sink = new SinkApp(cluster.sink(prefix, applicationId + "-sink"));
        sink.start();
      }
      input = new GroupLag(cluster.bootstrapServers(), applicationId, BenchCluster.inputs(topics));
      RollupWatch watch =
          RollupWatch.connect(cluster.jdbcUrl(), cluster.user(), cluster.password());
      BenchCluster.awaitRunning(streams);
      RunningPipeline running = new RunningPipeline(cluster, topics, streams, sink, input, watch);
      running.sinkGroup = applicationId + "-sink";
      return running;
    } catch (RuntimeException | InterruptedException e) {
      if (input != null) {
        input.close();
      }
      if (sink != null) {
        sink.close();
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
    return new PipelineSampler(sent, input, watch, sink, cluster.postgresPid(), from, interval);
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
    return cluster.sink(topics.prefix(), sinkGroup);
  }

  /** Throws when the processor or the sink has stopped. */
  void checkRunning() {
    if (sink != null && sink.failure().isPresent()) {
      throw new IllegalStateException("the sink failed: " + sink.failure().get());
    }
    if (streams.stateName().equals("ERROR")) {
      throw new IllegalStateException("the streams processor stopped with an error");
    }
  }

  @Override
  public void close() {
    SinkApp current = sink;
    try (streams;
        current;
        input;
        watch) {
      // All closed, the processor last.
    }
  }
}
