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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
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
  private final Map<String, List<long[]>> lateByRow = new HashMap<>();
  private final Map<String, List<long[]>> duplicatesByRow = new HashMap<>();
  private final Set<String> latePositions = new HashSet<>();
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
   * @param late what became of the events sent later than grace + 1 h
   * @param duplicates what became of the events sent a second time
   */
  public record Exactness(
      long expectedRows,
      long rowsMissing,
      long rowsWrong,
      long rowsExtra,
      long eventsLost,
      long eventsExtra,
      long quietRows,
      long quietRowsWritten,
      LateEvents late,
      Duplicates duplicates) {
    public boolean exact() {
      return rowsMissing == 0 && rowsWrong == 0 && rowsExtra == 0;
    }

    /** Whether every quiet key's last window reached PostgreSQL. */
    public boolean quietWindowsClosed() {
      return quietRowsWritten == quietRows;
    }
  }

  /**
   * The late events (sent later than grace + 1 h behind the newest event time) as the rows show
   * them. Each row holding late events is explained from its sums ({@link #compare}); every late
   * event falls in exactly one of these.
   *
   * @param corrected counted in its hour's row: the row was corrected after its window closed
   * @param dropped not counted, and not among the pipeline's dead letters: lost without a trace
   * @param deadLettered not counted, and set aside among the pipeline's dead letters (found there
   *     by topic, partition and offset)
   * @param unclear in a row whose sums no account of its late events and duplicates explains
   *     (events other than these were also lost or counted again there)
   */
  public record LateEvents(long corrected, long dropped, long deadLettered, long unclear) {}

  /**
   * The duplicates (an event sent again with the same event_id) as the rows show them; every
   * duplicate falls in exactly one of these.
   *
   * @param countedOnce its row is in PostgreSQL and counts the event once
   * @param countedTwice its row counts the event a second time
   * @param rowLost its row is not in PostgreSQL at all (the event counts nowhere)
   * @param unclear in a row whose sums no account explains, as for late events
   */
  public record Duplicates(long countedOnce, long countedTwice, long rowLost, long unclear) {}

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

  /**
   * Compares {@code rows} (every row of a pipeline's three tables) with the ledger.
   *
   * @param deadLetters where the pipeline's dead letters were read, "topic/partition/offset"
   */
  public Exactness compare(List<RollupRow> rows, Set<String> deadLetters) {
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
      } else if (!Arrays.equals(got, e.getValue())) {
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
    Accounts accounts = new Accounts();
    Set<String> explained = new HashSet<>(lateByRow.keySet());
    explained.addAll(duplicatesByRow.keySet());
    for (String key : explained) {
      accounts.explain(
          expected.get(key),
          actual.get(key),
          lateByRow.getOrDefault(key, List.of()),
          duplicatesByRow.getOrDefault(key, List.of()));
    }
    long lateDeadLettered = latePositions.stream().filter(deadLetters::contains).count();
    // A late event counted in its row is corrected even if also set aside (none is): dead letters
    // come out of the uncounted ones.
    long deadUncounted = Math.min(lateDeadLettered, accounts.lateUncounted);
    return new Exactness(
        expected.size(),
        missing,
        wrong,
        extraRows,
        lost,
        extra,
        quiet,
        quietWritten,
        new LateEvents(
            accounts.lateCounted,
            accounts.lateUncounted - deadUncounted,
            deadUncounted,
            accounts.lateUnclear),
        new Duplicates(
            accounts.duplicatesOnce,
            accounts.duplicatesTwice,
            accounts.duplicatesRowLost,
            accounts.duplicatesUnclear));
  }

  /**
   * Each row's account of its late events and duplicates. A row's sums are those of its other
   * events (the ledger's row less its late events) plus some of its late events plus some of its
   * duplicates; every choice of those whose sums equal the row's is an account of the row. All
   * accounts count the same number of events (event_count is one per event), so they differ only in
   * how many of those are late events and how many duplicates: when the sums do not tell (a late
   * event and a duplicate with the same measures), the account with the most late events counted,
   * and so the fewest duplicates counted twice, is taken (the one most favourable to the pipeline).
   * A row absent from PostgreSQL counts none of its late events and duplicates; a row no account
   * explains makes its late events and duplicates unclear.
   */
  private static final class Accounts {
    /** Above this many late events and duplicates in one row, its accounts are not enumerated. */
    private static final int MAX_CANDIDATES = 16;

    long lateCounted;
    long lateUncounted;
    long lateUnclear;
    long duplicatesOnce;
    long duplicatesTwice;
    long duplicatesRowLost;
    long duplicatesUnclear;

    void explain(long[] want, long[] got, List<long[]> late, List<long[]> duplicates) {
      if (want == null) {
        lateUnclear += late.size();
        duplicatesUnclear += duplicates.size();
        return;
      }
      if (got == null) {
        lateUncounted += late.size();
        duplicatesRowLost += duplicates.size();
        return;
      }
      int n = late.size() + duplicates.size();
      int best = -1;
      if (n <= MAX_CANDIDATES) {
        long[] base = want.clone();
        for (long[] l : late) {
          for (int i = 0; i < base.length; i++) {
            base[i] -= l[i];
          }
        }
        List<long[]> candidates = new ArrayList<>(late);
        candidates.addAll(duplicates);
        for (int mask = 0; mask < 1 << n; mask++) {
          long[] sum = base.clone();
          for (int c = 0; c < n; c++) {
            if ((mask & 1 << c) != 0) {
              Measures.add(sum, candidates.get(c));
            }
          }
          int lateBits = Integer.bitCount(mask & ((1 << late.size()) - 1));
          if (Arrays.equals(sum, got) && lateBits > best) {
            best = lateBits;
          }
        }
      }
      if (best < 0) {
        lateUnclear += late.size();
        duplicatesUnclear += duplicates.size();
        return;
      }
      long counted = got[0] - (want[0] - late.size());
      lateCounted += best;
      lateUncounted += late.size() - best;
      duplicatesTwice += counted - best;
      duplicatesOnce += duplicates.size() - (counted - best);
    }
  }

  private void add(JsonNode e) {
    acknowledged++;
    String kind = e.path("injected").asText("none");
    injected.merge(kind, 1L, Long::sum);
    if (kind.equals("duplicate")) {
      duplicatesByRow.computeIfAbsent(rowKey(e), k -> new ArrayList<>()).add(measures(e));
    }
    if (NOT_COUNTED.contains(kind)) {
      return;
    }
    String key = rowKey(e);
    long[] one = measures(e);
    Measures.add(expected.computeIfAbsent(key, k -> new long[one.length]), one);
    hourOf.put(key, hourStart(e));
    if (kind.equals("late")) {
      lateByRow.computeIfAbsent(key, k -> new ArrayList<>()).add(one);
      latePositions.add(
          position(
              e.path("topic").asText(), e.path("partition").asInt(), e.path("offset").asLong()));
    }
  }

  /** "topic/partition/offset": where a record was read, as dead letters are matched. */
  public static String position(String topic, int partition, long offset) {
    return topic + "/" + partition + "/" + offset;
  }

  private static long hourStart(JsonNode e) {
    return Math.floorDiv(e.path("occurred_at").asLong(), HOUR) * HOUR;
  }

  private static Family family(JsonNode e) {
    return Family.forId(e.path("type").asText())
        .orElseThrow(() -> new IllegalArgumentException("unknown ledger type in " + e));
  }

  /** The key of the row a ledger line's event counts in. */
  private static String rowKey(JsonNode e) {
    return key(
        family(e).id(),
        e.path("organization_id").asText(),
        e.path("entity_key").asText(),
        Instant.ofEpochMilli(hourStart(e)));
  }

  /** A ledger line's event's contribution to its row, in {@link Measures#names} order. */
  private static long[] measures(JsonNode e) {
    Family family = family(e);
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
    long[] m = new long[names.size()];
    for (int i = 0; i < names.size(); i++) {
      m[i] = one.getOrDefault(names.get(i), 0L);
    }
    return m;
  }

  private static String key(String family, String org, String entity, Instant windowStart) {
    return family + "|" + org + "|" + entity + "|" + windowStart;
  }
}
