package dev.hourglass.sink;

import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.contract.Topics;
import dev.hourglass.rollups.TaskRollup;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The sink's CPU work per record outside the database, on one batch of {@value #BATCH} task rollups
 * (the rows of {@link SinkThroughputBenchmark}): decoding the consumed bytes, and turning the
 * decoded records into the rollup statement's column arrays (collapsing by row, building the
 * values, the histogram text, the arrays handed to pgjdbc). Scores are per record. Not a test: run
 * it with the command in BENCHMARKS.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BatchEncodingBenchmark {
  private static final int BATCH = SinkThroughputBenchmark.BATCH;
  private static final String TOPIC = "bench.rollups";

  private List<ConsumerRecord<byte[], byte[]>> consumed;
  private List<SinkRecord> decoded;
  private RecordDecoder decoder;

  @Setup
  public void setUp() {
    SingleObjectFormat format = SingleObjectFormat.standard();
    decoded = SinkThroughputBenchmark.rows(BATCH, 1);
    consumed = new ArrayList<>(BATCH);
    for (SinkRecord r : decoded) {
      consumed.add(
          new ConsumerRecord<>(
              TOPIC, 0, r.offset(), null, format.encode((TaskRollup) r.payload())));
    }
    decoder = new RecordDecoder(Topics.withPrefix("bench."), Clock.systemUTC());
  }

  /** Bytes to a checked {@code TaskRollup} (Avro, topic type, window and histogram checks). */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void decode(Blackhole out) {
    for (ConsumerRecord<byte[], byte[]> r : consumed) {
      out.consume(decoder.decode(r));
    }
  }

  /** Decoded records to the batch's plan: its statements and their column arrays. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void encode(Blackhole out) {
    out.consume(Batch.plan(decoded));
  }

  /** Both: what the loop's thread and the writer thread spend per record besides I/O. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void decodeAndEncode(Blackhole out) {
    List<SinkRecord> batch = new ArrayList<>(BATCH);
    for (ConsumerRecord<byte[], byte[]> r : consumed) {
      batch.add(decoder.decode(r));
    }
    out.consume(Batch.plan(batch));
  }
}
