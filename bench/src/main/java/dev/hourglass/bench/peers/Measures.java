package dev.hourglass.bench.peers;

import dev.hourglass.contract.Family;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.schema.PipelineTotals;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The integer measures a peer sums per rollup row, in the order of {@link PipelineTotals#MEASURES}:
 * the same counts and sums the ledger check recomputes, so that a peer's rows compare with the
 * ledger exactly as Hourglass's do.
 */
final class Measures {
  private Measures() {}

  /** The measure names of {@code family}, in column order. */
  static List<String> names(Family family) {
    return PipelineTotals.MEASURES.get(family.id());
  }

  /** One event's contribution to its row. */
  static long[] of(Family family, SpecificRecord event) {
    long[] m = new long[names(family).size()];
    m[0] = 1;
    switch (family) {
      case TASK -> {
        TaskEvent t = (TaskEvent) event;
        switch (t.getKind()) {
          case CREATED -> m[1] = 1;
          case STARTED -> m[2] = 1;
          case COMPLETED -> m[3] = 1;
          case FAILED -> m[4] = 1;
          default -> {}
        }
      }
      case AGENT -> {
        AgentEvent a = (AgentEvent) event;
        switch (a.getKind()) {
          case COMPLETED -> m[1] = 1;
          case FAILED -> m[2] = 1;
          default -> {}
        }
        m[3] = a.getTokensUsed();
        m[4] = a.getCostMicros();
        m[5] = a.getDurationMs() == null ? 0 : a.getDurationMs();
      }
      case INTEGRATION -> {
        IntegrationEvent e = (IntegrationEvent) event;
        m[1] = e.getStatus() == IntegrationStatus.ERROR ? 1 : 0;
        m[2] = e.getProcessed() ? 0 : 1;
        m[3] = e.getLatencyMs();
      }
    }
    return m;
  }

  /** {@code into += add}, returned. */
  static long[] add(long[] into, long[] add) {
    for (int i = 0; i < into.length; i++) {
      into[i] += add[i];
    }
    return into;
  }

  /** {@code into[entity] += m}, returned: an organization's hour, entity by entity. */
  static Map<String, long[]> add(Map<String, long[]> into, String entity, long[] m) {
    long[] sum = into.get(entity);
    if (sum == null) {
      into.put(entity, m.clone());
    } else {
      add(sum, m);
    }
    return into;
  }

  /**
   * An organization's hour: entity to measures, as a count, then per entity its UTF-8 name
   * (length-prefixed) and its measures (count-prefixed longs), big-endian.
   */
  static Serde<Map<String, long[]>> byEntitySerde() {
    Serializer<Map<String, long[]>> out =
        (topic, map) -> {
          if (map == null) {
            return null;
          }
          int size = 4;
          for (Map.Entry<String, long[]> e : map.entrySet()) {
            size +=
                4
                    + e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + 4
                    + 8 * e.getValue().length;
          }
          ByteBuffer b = ByteBuffer.allocate(size);
          b.putInt(map.size());
          for (Map.Entry<String, long[]> e : map.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            b.putInt(name.length).put(name).putInt(e.getValue().length);
            for (long v : e.getValue()) {
              b.putLong(v);
            }
          }
          return b.array();
        };
    Deserializer<Map<String, long[]>> in =
        (topic, bytes) -> {
          if (bytes == null) {
            return null;
          }
          try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            int n = b.getInt();
            Map<String, long[]> map = new TreeMap<>();
            for (int i = 0; i < n; i++) {
              byte[] name = new byte[b.getInt()];
              b.get(name);
              long[] m = new long[b.getInt()];
              for (int j = 0; j < m.length; j++) {
                m[j] = b.getLong();
              }
              map.put(new String(name, StandardCharsets.UTF_8), m);
            }
            return map;
          } catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw new SerializationException(
                "an organization's hour of " + bytes.length + " bytes on " + topic + " is cut", e);
          }
        };
    return Serdes.serdeFrom(out, in);
  }
}
