package dev.hourglass.bench;

import dev.hourglass.bench.peers.Peer;
import dev.hourglass.schema.PipelineTotals;
import java.util.Map;

/** Peer 1 of {@code hourglass bench peers}: Hourglass as shipped, its processor and its sink. */
final class HourglassPeer implements Peer {
  private final RunningPipeline pipeline;
  private final BenchCluster cluster;

  HourglassPeer(RunningPipeline pipeline, BenchCluster cluster) {
    this.pipeline = pipeline;
    this.cluster = cluster;
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

  @Override
  public void check() {
    pipeline.checkRunning();
  }

  @Override
  public void restartSink() {
    pipeline.restartSink();
  }

  @Override
  public void close() {
    pipeline.close();
  }
}
