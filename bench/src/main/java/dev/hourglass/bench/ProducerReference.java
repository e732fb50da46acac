package dev.hourglass.bench;

import dev.hourglass.producer.PublisherConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.tools.ProducerPerformance;

/**
 * The reference of R_pipeline: Kafka's own {@code ProducerPerformance} against the same broker,
 * with the pipeline's record size, acks, idempotence, compression, linger and batch size. Its
 * records are random letters of that size; the pipeline's are Avro events (compression treats them
 * differently, which the benchmark file notes).
 */
final class ProducerReference {
  private static final Pattern TOTAL =
      Pattern.compile("(\\d+) records sent, ([0-9.]+) records/sec");

  private ProducerReference() {}

  /**
   * Records per second for {@code records} records of {@code recordSize} bytes into {@code topic}.
   */
  static double run(
      String bootstrapServers, String topic, long records, int recordSize, PublisherConfig config) {
    String[] args = {
      "--topic",
      topic,
      "--num-records",
      Long.toString(records),
      "--record-size",
      Integer.toString(recordSize),
      "--throughput",
      "-1",
      "--producer-props",
      "bootstrap.servers=" + bootstrapServers,
      "acks=all",
      "enable.idempotence=true",
      "compression.type=" + config.compression(),
      "linger.ms=" + config.linger().toMillis(),
      "batch.size=" + config.batchSize(),
      "buffer.memory=" + config.bufferMemory(),
      "max.in.flight.requests.per.connection=" + config.maxInFlight()
    };
    // The tool prints its result; take it from standard output, which nothing else writes to
    // while it runs (logging goes to standard error).
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      ProducerPerformance.main(args);
    } catch (Exception e) {
      throw new IllegalStateException("ProducerPerformance failed: " + e.getMessage(), e);
    } finally {
      System.setOut(stdout);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    for (String line : output.split("\n")) {
      Matcher m = TOTAL.matcher(line);
      // The total line is the one with percentiles; it must count every record.
      if (m.find() && line.contains("50th")) {
        if (Long.parseLong(m.group(1)) != records) {
          throw new IllegalStateException("ProducerPerformance did not send every record: " + line);
        }
        return Double.parseDouble(m.group(2));
      }
    }
    throw new IllegalStateException("no total line in ProducerPerformance's output:\n" + output);
  }
}
