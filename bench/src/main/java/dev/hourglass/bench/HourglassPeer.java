package dev.hourglass.bench;

import dev.hourglass.bench.peers.ChildProcess;
import dev.hourglass.bench.peers.LedgerBooks;
import dev.hourglass.bench.peers.Peer;
import dev.hourglass.schema.PipelineTotals;
import dev.hourglass.sink.SinkConfig;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Peer 1 of {@code hourglass bench peers}: Hourglass as shipped, its processor in this JVM and its
 * sink in a process of its own (as {@code hourglass sink} runs), which {@link #restartSink} kills.
 */
final class HourglassPeer implements Peer {
  private final RunningPipeline pipeline;
  private final BenchCluster cluster;
  private final Path dir;
  // The sink's settings: the pipeline's, with a static identity when asked for.
  private final SinkConfig sinkConfig;
  private ChildProcess sink;

  private HourglassPeer(
      RunningPipeline pipeline, BenchCluster cluster, Path dir, SinkConfig sinkConfig) {
    this.pipeline = pipeline;
    this.cluster = cluster;
    this.dir = dir;
    this.sinkConfig = sinkConfig;
  }

  /**
   * Starts the pipeline {@code name} with its sink in a process of its own; files in {@code dir}.
   * With {@code staticMember}, the sink's consumer is a static group member ({@code
   * sink.consumer.group.instance.id}), as the README advises for an instance that restarts in
   * place: a restarted sink takes its predecessor's partitions at once.
   */
  static HourglassPeer start(BenchCluster cluster, String name, Path dir, boolean staticMember)
      throws InterruptedException {
    RunningPipeline pipeline =
        RunningPipeline.start(cluster, name, RunningPipeline.Sinks.ELSEWHERE);
    SinkConfig config =
        staticMember
            ? pipeline.sinkConfig(
                Map.of("sink.consumer." + ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, name + "-sink"))
            : pipeline.sinkConfig();
    HourglassPeer peer = new HourglassPeer(pipeline, cluster, dir, config);
    try {
      peer.launchSink();
    } catch (RuntimeException | InterruptedException e) {
      pipeline.close();
      throw e;
    }
    return peer;
  }

  private void launchSink() throws InterruptedException {
    sink =
        ChildProcess.start(
            "hourglass-sink", SinkProcess.class, SinkProcess.settings(sinkConfig), dir);
    try {
      sink.awaitReady(ChildProcess.START_TIMEOUT);
    } catch (RuntimeException | InterruptedException e) {
      sink.close();
      throw e;
    }
  }

  RunningPipeline pipeline() {
    return pipeline;
  }

  @Override
  public String name() {
    return "hourglass";
  }

  @Override
  public String jdbcUrl() {
    return cluster.jdbcUrl();
  }

  @Override
  public Map<String, Long> deadLetters() {
    return PipelineTotals.connect(cluster.jdbcUrl(), cluster.user(), cluster.password())
        .totals(BenchCluster.inputs(pipeline.topics()))
        .deadLetters();
  }

  /** The positions of the dead letters read from this pipeline's input topics. */
  @Override
  public Set<String> deadLetterPositions() {
    Set<String> out = new HashSet<>();
    try (Connection c =
            DriverManager.getConnection(cluster.jdbcUrl(), cluster.user(), cluster.password());
        PreparedStatement s =
            c.prepareStatement(
                "SELECT source_topic, source_partition, source_offset FROM dead_letters"
                    + " WHERE source_topic = ANY (?)")) {
      Array topics =
          c.createArrayOf("text", BenchCluster.inputs(pipeline.topics()).toArray(String[]::new));
      s.setArray(1, topics);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(LedgerBooks.position(r.getString(1), r.getInt(2), r.getLong(3)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read Hourglass's dead letters: " + e, e);
    }
  }

  /**
   * Whether the processor has read every event so far; the sink is then judged by its rows, which
   * change while it catches up. Without this, a processor far behind on a loaded machine left the
   * rows unchanged for the settle time and the benchmark took them as final.
   */
  @Override
  public boolean caughtUp() {
    return pipeline.processorCaughtUp();
  }

  @Override
  public void check() {
    pipeline.checkRunning();
    sink.check();
  }

  /** SIGKILLs the sink's process and starts a new one. */
  @Override
  public void restartSink() {
    try {
      sink.kill();
      launchSink();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while restarting the sink", e);
    }
  }

  @Override
  public void close() {
    try {
      sink.close();
    } finally {
      pipeline.close();
    }
  }
}
