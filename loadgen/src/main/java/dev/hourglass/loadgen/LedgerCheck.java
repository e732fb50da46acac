package dev.hourglass.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hourglass.contract.Family;
import dev.hourglass.schema.PipelineTotals;
import dev.hourglass.schema.PipelineTotals.RollupRow;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Recomputes every rollup from the load generator's ledgers, independently of the processor, and
 * compares with the rows in PostgreSQL: I1 (nothing lost) and I2 (nothing extra) of the README's
 * "Delivery guarantees". Only acknowledged sends are in a ledger; invalid events and poison are
 * dead-lettered and duplicates suppressed, so none of them counts.
 */
public final class LedgerCheck {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> NOT_COUNTED = Set.of("invalid", "poison", "duplicate");
  private static final long HOUR = 3_600_000L;

  /** What the ledgers say was sent, by what was injected. */
  public record Sent(long acknowledged, Map<String, Long> byInjection) {
    public long injected(String kind) {
      return byInjection.getOrDefault(kind, 0L);
    }
  }

  /** A row that differs: expected (from the ledger) against actual (in PostgreSQL). */
  public record Mismatch(String key, Map<String, Long> expected, Map<String, Long> actual) {
    @Override
    public String toString() {
      return key + ": expected " + expected + ", actual " + (actual == null ? "no row" : actual);
    }
  }

  private final Map<String, Map<String, Long>> expected = new TreeMap<>();
  private final Map<String, Long> byInjection = new TreeMap<>();
  private long acknowledged;

  public static LedgerCheck read(List<Path> ledgers) {
    return read(ledgers, List.of());
  }

  /**
   * Reads {@code ledgers}, and {@code resent}: ledgers of a producer that sent again, in a new
   * session, events already acknowledged in {@code ledgers} (same event_id, same bytes). Those are
   * acknowledged again and must be suppressed as duplicates, so they count in no rollup.
   */
  public static LedgerCheck read(List<Path> ledgers, List<Path> resent) {
    LedgerCheck check = new LedgerCheck();
    for (Path ledger : resent) {
      try (BufferedReader in = Files.newBufferedReader(ledger, StandardCharsets.UTF_8)) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (!line.isBlank()) {
            check.acknowledged++;
            check.byInjection.merge("resent", 1L, Long::sum);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read ledger " + ledger, e);
      }
    }
    for (Path ledger : ledgers) {
      try (BufferedReader in = Files.newBufferedReader(ledger, StandardCharsets.UTF_8)) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (!line.isBlank()) {
            check.add(JSON.readTree(line));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read ledger " + ledger, e);
      }
    }
    return check;
  }

  private void add(JsonNode e) {
    acknowledged++;
    String injected = e.path("injected").asText("none");
    byInjection.merge(injected, 1L, Long::sum);
    if (NOT_COUNTED.contains(injected)) {
      return;
    }
    String type = e.path("type").asText();
    Family family =
        Family.forId(type)
            .orElseThrow(() -> new IllegalArgumentException("unknown ledger type " + type));
    long hour = Math.floorDiv(e.path("occurred_at").asLong(), HOUR) * HOUR;
    String key =
        family.id()
            + "|"
            + e.path("organization_id").asText()
            + "|"
            + e.path("entity_key").asText()
            + "|"
            + Instant.ofEpochMilli(hour);
    Map<String, Long> m =
        expected.computeIfAbsent(
            key,
            k -> {
              Map<String, Long> zero = new LinkedHashMap<>();
              PipelineTotals.MEASURES.get(family.id()).forEach(name -> zero.put(name, 0L));
              return zero;
            });
    m.merge("event_count", 1L, Long::sum);
    String kind = e.path("kind").asText("");
    switch (family) {
      case TASK -> {
        switch (kind) {
          case "CREATED" -> m.merge("created_count", 1L, Long::sum);
          case "STARTED" -> m.merge("started_count", 1L, Long::sum);
          case "COMPLETED" -> m.merge("completed_count", 1L, Long::sum);
          case "FAILED" -> m.merge("failed_count", 1L, Long::sum);
          default -> {}
        }
      }
      case AGENT -> {
        if (kind.equals("COMPLETED")) {
          m.merge("completed_count", 1L, Long::sum);
        } else if (kind.equals("FAILED")) {
          m.merge("failed_count", 1L, Long::sum);
        }
        m.merge("tokens_used_sum", e.path("tokens_used").asLong(), Long::sum);
        m.merge("cost_micros_sum", e.path("cost_micros").asLong(), Long::sum);
        m.merge("duration_ms_sum", e.path("duration_ms").asLong(0), Long::sum);
      }
      case INTEGRATION -> {
        if (e.path("status").asText().equals("ERROR")) {
          m.merge("error_count", 1L, Long::sum);
        }
        if (!e.path("processed").asBoolean(true)) {
          m.merge("unprocessed_count", 1L, Long::sum);
        }
        m.merge("latency_ms_sum", e.path("latency_ms").asLong(), Long::sum);
      }
    }
  }

  public Sent sent() {
    return new Sent(acknowledged, Map.copyOf(byInjection));
  }

  /** Every expected row that is missing or differs (I1), then every row not expected (I2). */
  public List<Mismatch> compare(List<RollupRow> rows) {
    Map<String, Map<String, Long>> actual = new TreeMap<>();
    for (RollupRow r : rows) {
      actual.put(
          r.family() + "|" + r.organizationId() + "|" + r.entityKey() + "|" + r.windowStart(),
          r.measures());
    }
    List<Mismatch> out = new ArrayList<>();
    expected.forEach(
        (key, want) -> {
          Map<String, Long> got = actual.get(key);
          if (!want.equals(got)) {
            out.add(new Mismatch(key, want, got));
          }
        });
    actual.forEach(
        (key, got) -> {
          if (!expected.containsKey(key)) {
            out.add(new Mismatch(key, Map.of(), got));
          }
        });
    return out;
  }

  public int expectedRows() {
    return expected.size();
  }
}
