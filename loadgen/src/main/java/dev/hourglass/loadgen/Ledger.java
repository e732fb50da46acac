package dev.hourglass.loadgen;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.producer.PublishException;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.errors.RetriableException;

/**
 * The load generator's ground truth: one JSON line per acknowledged send, written only in the
 * acknowledgement callback, and one per failed send (with the error) in a separate file. Verifiers
 * recompute every rollup from it, so each line carries every measure the rollups sum.
 *
 * <p>Fields: {@code event_id}, {@code type} (task, agent, integration), {@code organization_id},
 * {@code entity_key} (project_id, agent_id or integration_type), {@code occurred_at} (epoch ms),
 * then per type: task {@code kind, estimated_hours, actual_hours}; agent {@code kind, agent_type,
 * tokens_used, cost_micros, duration_ms, performance_score}; integration {@code status, processed,
 * latency_ms}; then {@code injected} (none, late, out_of_order, invalid, poison, duplicate,
 * misrouted), {@code expected_reason} (the dead-letter reason, for invalid and poison only), {@code
 * topic}, {@code partition}, {@code offset}. A poison line has only type, organization_id (its
 * key), injected, expected_reason, topic, partition and offset. Failed lines add {@code error},
 * {@code error_type} and {@code retriable}.
 *
 * <p>Thread-safe; {@link #close()} flushes both files.
 */
final class Ledger implements AutoCloseable {
  private static final JsonFactory JSON = new JsonFactory();

  private final Sink acknowledged;
  private final Sink failed;

  private Ledger(Sink acknowledged, Sink failed) {
    this.acknowledged = acknowledged;
    this.failed = failed;
  }

  /** Writes to {@code acknowledgedFile} and {@code failedFile}; either may be null (not kept). */
  static Ledger open(Path acknowledgedFile, Path failedFile) {
    return new Ledger(Sink.open(acknowledgedFile), Sink.open(failedFile));
  }

  void acknowledged(Planned p, String topic, int partition, long offset) {
    acknowledged.write(g -> fields(g, p, topic, partition, offset));
  }

  void failed(Planned p, String topic, Throwable error) {
    failed.write(
        g -> {
          fields(g, p, topic, -1, -1);
          g.writeStringField("error", String.valueOf(error.getMessage()));
          g.writeStringField("error_type", error.getClass().getName());
          g.writeBooleanField(
              "retriable",
              error instanceof PublishException pe
                  ? pe.retriable()
                  : error instanceof RetriableException);
        });
  }

  /** Writes buffered lines to the files. */
  void flush() {
    acknowledged.flush();
    failed.flush();
  }

  @Override
  public void close() {
    try {
      acknowledged.close();
    } finally {
      failed.close();
    }
  }

  /** The line for an acknowledged send, without its newline. */
  static String line(Planned p, String topic, int partition, long offset) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      fields(g, p, topic, partition, offset);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void fields(JsonGenerator g, Planned p, String topic, int partition, long offset)
      throws IOException {
    if (p.event() instanceof TaskEvent t) {
      g.writeStringField("event_id", t.getEventId());
      g.writeStringField("type", p.family().id());
      g.writeStringField("organization_id", t.getOrganizationId());
      g.writeStringField("entity_key", t.getProjectId());
      g.writeNumberField("occurred_at", t.getOccurredAt().toEpochMilli());
      g.writeStringField("kind", t.getKind().name());
      number(g, "estimated_hours", t.getEstimatedHours());
      number(g, "actual_hours", t.getActualHours());
    } else if (p.event() instanceof AgentEvent a) {
      g.writeStringField("event_id", a.getEventId());
      g.writeStringField("type", p.family().id());
      g.writeStringField("organization_id", a.getOrganizationId());
      g.writeStringField("entity_key", a.getAgentId());
      g.writeNumberField("occurred_at", a.getOccurredAt().toEpochMilli());
      g.writeStringField("kind", a.getKind().name());
      g.writeStringField("agent_type", a.getAgentType());
      g.writeNumberField("tokens_used", a.getTokensUsed());
      g.writeNumberField("cost_micros", a.getCostMicros());
      number(g, "duration_ms", a.getDurationMs());
      number(g, "performance_score", a.getPerformanceScore());
    } else if (p.event() instanceof IntegrationEvent e) {
      g.writeStringField("event_id", e.getEventId());
      g.writeStringField("type", p.family().id());
      g.writeStringField("organization_id", e.getOrganizationId());
      g.writeStringField("entity_key", e.getIntegrationType());
      g.writeNumberField("occurred_at", e.getOccurredAt().toEpochMilli());
      g.writeStringField("status", e.getStatus().name());
      g.writeBooleanField("processed", e.getProcessed());
      g.writeNumberField("latency_ms", e.getLatencyMs());
    } else {
      // Poison: no event, only what the generator knows about the record it sent.
      g.writeStringField("type", p.family().id());
      g.writeStringField("organization_id", p.key());
    }
    g.writeStringField("injected", p.injected().ledgerName());
    if (p.expectedReason() != null) {
      g.writeStringField("expected_reason", p.expectedReason());
    }
    g.writeStringField("topic", topic);
    g.writeNumberField("partition", partition);
    g.writeNumberField("offset", offset);
  }

  private static void number(JsonGenerator g, String field, Double value) throws IOException {
    if (value == null) {
      g.writeNullField(field);
    } else {
      g.writeNumberField(field, value);
    }
  }

  private static void number(JsonGenerator g, String field, Long value) throws IOException {
    if (value == null) {
      g.writeNullField(field);
    } else {
      g.writeNumberField(field, value);
    }
  }

  @FunctionalInterface
  private interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

  /** One JSON-lines file, or nothing when no path was given. */
  private static final class Sink {
    private final Path path;
    private final Writer writer;
    private final JsonGenerator json;

    private Sink(Path path, Writer writer, JsonGenerator json) {
      this.path = path;
      this.writer = writer;
      this.json = json;
    }

    static Sink open(Path path) {
      if (path == null) {
        return new Sink(null, null, null);
      }
      try {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        Writer writer = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
        JsonGenerator json = JSON.createGenerator(writer);
        // Lines, not a stream of space-separated values.
        json.setPrettyPrinter(new MinimalPrettyPrinter(""));
        return new Sink(path, writer, json);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open the ledger file " + path, e);
      }
    }

    synchronized void write(Fields fields) {
      if (json == null) {
        return;
      }
      try {
        json.writeStartObject();
        fields.write(json);
        json.writeEndObject();
        json.writeRaw('\n');
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write to the ledger file " + path, e);
      }
    }

    synchronized void flush() {
      if (json == null) {
        return;
      }
      try {
        json.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot flush the ledger file " + path, e);
      }
    }

    synchronized void close() {
      if (json == null) {
        return;
      }
      try {
        json.close();
        writer.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close the ledger file " + path, e);
      }
    }
  }
}
