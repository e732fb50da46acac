package dev.hourglass.bench.peers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hourglass.contract.Family;
import dev.hourglass.schema.PipelineTotals.RollupRow;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every rollup row recomputed from the load generator's ledger, independently of any pipeline, and
 * compared with the rows a pipeline wrote: what was lost and what is extra. Invalid and poison
 * records count nowhere and a duplicate counts once; every other acknowledged event counts in the
 * hour of its {@code occurred_at}, late or not, as the README's delivery guarantees (I1, I2) ask.
 */
public final class LedgerBooks {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> NOT_COUNTED = Set.of("invalid", "poison", "duplicate");
  private static final long HOUR = 3_600_000L;

  private final Map<String, long[]> expected = new HashMap<>();
  private final Map<String, Long> hourOf = new HashMap<>();
  private final Map<String, Long> injected = new TreeMap<>();
  private long acknowledged;

  private LedgerBooks() {}

  /**
   * How a pipeline's rows compare with the ledger.
   *
   * @param expectedRows rows the ledger calls for
   * @param rowsMissing of those, rows not in PostgreSQL
   * @param rowsWrong rows present with a measure that differs
   * @param rowsExtra rows in PostgreSQL that the ledger does not call for
   * @param eventsLost events the ledger counts that the rows do not (event_count, summed per row)
   * @param eventsExtra events the rows count beyond the ledger (duplicates counted twice, ...)
   * @param quietRows rows of the load's last hour: every organization stops sending in it, so its
   *     windows are those of quiet keys, which only a pipeline that closes windows without new
   *     events (or writes every update) ever writes
   * @param quietRowsWritten of those, rows in PostgreSQL counting at least their ledger's events
   */
  public record Exactness(
      long expectedRows,
      long rowsMissing,
      long rowsWrong,
      long rowsExtra,
      long eventsLost,
      long eventsExtra,
      long quietRows,
      long quietRowsWritten) {
    public boolean exact() {
      return rowsMissing == 0 && rowsWrong == 0 && rowsExtra == 0;
    }

    /** Whether every quiet key's last window reached PostgreSQL. */
    public boolean quietWindowsClosed() {
      return quietRowsWritten == quietRows;
    }
  }

  /** Reads one ledger file (JSON lines, one per acknowledged send). */
  public static LedgerBooks read(Path ledger) {
    LedgerBooks books = new LedgerBooks();
    try (BufferedReader in = Files.newBufferedReader(ledger, StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isBlank()) {
          books.add(JSON.readTree(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read ledger " + ledger, e);
    }
    return books;
  }

  /** Acknowledged sends. */
  public long acknowledged() {
    return acknowledged;
  }

  /** Acknowledged sends by what was injected: none, late, duplicate, ... */
  public Map<String, Long> injected() {
    return Map.copyOf(injected);
  }

  /** Events that should be counted: acknowledged, less invalid, poison and duplicates. */
  public long countable() {
    return expected.values().stream().mapToLong(m -> m[0]).sum();
  }

  /** Compares {@code rows} (every row of a pipeline's three tables) with the ledger. */
  public Exactness compare(List<RollupRow> rows) {
    Map<String, long[]> actual = new HashMap<>();
    for (RollupRow r : rows) {
      Family family = Family.forId(r.family()).orElseThrow();
      long[] m = new long[Measures.names(family).size()];
      for (int i = 0; i < m.length; i++) {
        m[i] = r.measures().get(Measures.names(family).get(i));
      }
      actual.put(key(r.family(), r.organizationId(), r.entityKey(), r.windowStart()), m);
    }
    long missing = 0;
    long wrong = 0;
    long extraRows = 0;
    long lost = 0;
    long extra = 0;
    long lastHour = hourOf.values().stream().mapToLong(Long::longValue).max().orElse(0);
    long quiet = 0;
    long quietWritten = 0;
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      long[] got = actual.get(e.getKey());
      long want = e.getValue()[0];
      if (hourOf.get(e.getKey()) == lastHour) {
        quiet++;
        if (got != null && got[0] >= want) {
          quietWritten++;
        }
      }
      if (got == null) {
        missing++;
        lost += want;
      } else if (!java.util.Arrays.equals(got, e.getValue())) {
        wrong++;
        lost += Math.max(0, want - got[0]);
        extra += Math.max(0, got[0] - want);
      }
    }
    for (Map.Entry<String, long[]> e : actual.entrySet()) {
      if (!expected.containsKey(e.getKey())) {
        extraRows++;
        extra += e.getValue()[0];
      }
    }
    return new Exactness(
        expected.size(), missing, wrong, extraRows, lost, extra, quiet, quietWritten);
  }

  private void add(JsonNode e) {
    acknowledged++;
    String kind = e.path("injected").asText("none");
    injected.merge(kind, 1L, Long::sum);
    if (NOT_COUNTED.contains(kind)) {
      return;
    }
    Family family =
        Family.forId(e.path("type").asText())
            .orElseThrow(() -> new IllegalArgumentException("unknown ledger type in " + e));
    long hour = Math.floorDiv(e.path("occurred_at").asLong(), HOUR) * HOUR;
    String key =
        key(
            family.id(),
            e.path("organization_id").asText(),
            e.path("entity_key").asText(),
            Instant.ofEpochMilli(hour));
    long[] m = expected.computeIfAbsent(key, k -> new long[Measures.names(family).size()]);
    hourOf.put(key, hour);
    Map<String, Long> one = new LinkedHashMap<>();
    one.put("event_count", 1L);
    String step = e.path("kind").asText("");
    switch (family) {
      case TASK -> {
        switch (step) {
          case "CREATED" -> one.put("created_count", 1L);
          case "STARTED" -> one.put("started_count", 1L);
          case "COMPLETED" -> one.put("completed_count", 1L);
          case "FAILED" -> one.put("failed_count", 1L);
          default -> {}
        }
      }
      case AGENT -> {
        if (step.equals("COMPLETED")) {
          one.put("completed_count", 1L);
        } else if (step.equals("FAILED")) {
          one.put("failed_count", 1L);
        }
        one.put("tokens_used_sum", e.path("tokens_used").asLong());
        one.put("cost_micros_sum", e.path("cost_micros").asLong());
        one.put("duration_ms_sum", e.path("duration_ms").asLong(0));
      }
      case INTEGRATION -> {
        if (e.path("status").asText().equals("ERROR")) {
          one.put("error_count", 1L);
        }
        if (!e.path("processed").asBoolean(true)) {
          one.put("unprocessed_count", 1L);
        }
        one.put("latency_ms_sum", e.path("latency_ms").asLong());
      }
    }
    List<String> names = Measures.names(family);
    for (int i = 0; i < names.size(); i++) {
      m[i] += one.getOrDefault(names.get(i), 0L);
    }
  }

  private static String key(String family, String org, String entity, Instant windowStart) {
    return family + "|" + org + "|" + entity + "|" + windowStart;
  }
}
