package dev.hourglass.sink;

import dev.hourglass.contract.Family;
import dev.hourglass.rollups.AgentCorrection;
import dev.hourglass.rollups.AgentMeasures;
import dev.hourglass.rollups.AgentRollup;
import dev.hourglass.rollups.IntegrationCorrection;
import dev.hourglass.rollups.IntegrationMeasures;
import dev.hourglass.rollups.IntegrationRollup;
import dev.hourglass.rollups.TaskCorrection;
import dev.hourglass.rollups.TaskMeasures;
import dev.hourglass.rollups.TaskRollup;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Rollups and corrections into the three {@code *_rollups_hourly} tables, one statement per table
 * and kind per phase.
 *
 * <p>Within a batch the records of one row are collapsed where that is equivalent to applying them
 * one by one: rollups keep the highest revision (a rollup replaces the row only when its revision
 * is newer, so the highest wins either way); corrections add up (deltas, revision bumps and late
 * counts are sums). Rollups are applied before corrections, which is their order on the topic. A
 * rollup that follows a correction of the same row in the batch starts a new phase, so the
 * correction is applied first, as it was published.
 */
final class RollupWrites {

  /** How one rollup table maps onto its Avro records; every name here is code, never data. */
  enum Table {
    TASK(
        "task_rollups_hourly",
        List.of("project_id"),
        List.of(),
        false,
        TaskRollup.class,
        TaskCorrection.class,
        TaskMeasures.getClassSchema()),
    AGENT(
        "agent_rollups_hourly",
        List.of("agent_id"),
        List.of("agent_type"),
        false,
        AgentRollup.class,
        AgentCorrection.class,
        AgentMeasures.getClassSchema()),
    INTEGRATION(
        "integration_rollups_hourly",
        List.of(),
        List.of("integration_type"),
        true,
        IntegrationRollup.class,
        IntegrationCorrection.class,
        IntegrationMeasures.getClassSchema());

    final String name;

    /** Key columns after organization_id that hold UUIDs. */
    final List<String> uuidKeys;

    /** Text columns: part of the key for integrations, a plain attribute for agents. */
    final List<String> textColumns;

    /** Whether the text columns are part of the key (integration_type) or attributes. */
    final boolean textInKey;

    final Class<? extends SpecificRecord> rollup;
    final Class<? extends SpecificRecord> correction;
    final Schema measures;

    /** The statements' columns; a row is the {@code Object[]} of {@link #values}, in this order. */
    final Unnest<Object[]> columns;

    final String rollupSql;
    final String correctionSql;

    Table(
        String name,
        List<String> uuidKeys,
        List<String> textColumns,
        boolean textInKey,
        Class<? extends SpecificRecord> rollup,
        Class<? extends SpecificRecord> correction,
        Schema measures) {
      this.name = name;
      this.uuidKeys = uuidKeys;
      this.textColumns = textColumns;
      this.textInKey = textInKey;
      this.rollup = rollup;
      this.correction = correction;
      this.measures = measures;
      this.columns = columns();
      this.rollupSql = sql(false);
      this.correctionSql = sql(true);
    }

    List<String> conflictKey() {
      List<String> key = new ArrayList<>();
      key.add("organization_id");
      key.addAll(uuidKeys);
      if (textInKey) {
        key.addAll(textColumns);
      }
      key.add("window_start");
      return key;
    }

    private Unnest<Object[]> columns() {
      Unnest<Object[]> u = new Unnest<>();
      positional(u, "organization_id", "text");
      uuidKeys.forEach(k -> positional(u, k, "text"));
      textColumns.forEach(k -> positional(u, k, "text"));
      positional(u, "window_start", "int8");
      positional(u, "window_end", "int8");
      for (Schema.Field f : measures.getFields()) {
        positional(u, f.name(), kind(f) == 'h' ? "text" : kind(f) == 'd' ? "float8" : "int8");
      }
      positional(u, "revision", "int8");
      positional(u, "is_final", "bool");
      positional(u, "late_event_count", "int8");
      return u;
    }

    /** The next column: the next value of a row's array. */
    private static void positional(Unnest<Object[]> u, String name, String type) {
      int i = u.width();
      u.col(name, type, row -> row[i]);
    }

    private String sql(boolean correction) {
      List<String> cols = new ArrayList<>();
      List<String> exprs = new ArrayList<>();
      cols.add("organization_id");
      exprs.add("u.organization_id::uuid");
      for (String k : uuidKeys) {
        cols.add(k);
        exprs.add("u." + k + "::uuid");
      }
      for (String k : textColumns) {
        cols.add(k);
        exprs.add("u." + k);
      }
      cols.add("window_start");
      exprs.add(Sql.ts("u.window_start"));
      cols.add("window_end");
      exprs.add(Sql.ts("u.window_end"));
      List<String> set = new ArrayList<>();
      for (Schema.Field f : measures.getFields()) {
        String c = f.name();
        cols.add(c);
        exprs.add(kind(f) == 'h' ? "u." + c + "::bigint[]" : "u." + c);
        if (!correction) {
          set.add(c + " = EXCLUDED." + c);
        } else if (kind(f) == 'h') {
          // The schema's element-wise sum; a length mismatch is a data error (SQLSTATE 2202E).
          set.add(c + " = hg_add(t." + c + ", EXCLUDED." + c + ")");
        } else {
          set.add(c + " = t." + c + " + EXCLUDED." + c);
        }
      }
      for (String c : List.of("revision", "is_final", "late_event_count")) {
        cols.add(c);
        exprs.add("u." + c);
      }
      cols.add("updated_at");
      exprs.add("now()");
      if (correction) {
        set.add("revision = t.revision + EXCLUDED.revision");
        set.add("late_event_count = t.late_event_count + EXCLUDED.late_event_count");
      } else {
        if (!textInKey) {
          textColumns.forEach(c -> set.add(c + " = EXCLUDED." + c));
        }
        set.add("window_end = EXCLUDED.window_end");
        set.add("revision = EXCLUDED.revision");
        set.add("is_final = EXCLUDED.is_final");
      }
      set.add("updated_at = now()");
      return "INSERT INTO "
          + name
          + " AS t ("
          + String.join(", ", cols)
          + ") SELECT "
          + String.join(", ", exprs)
          + " FROM "
          + columns.from()
          + " ON CONFLICT ("
          + String.join(", ", conflictKey())
          + ") DO UPDATE SET "
          + String.join(", ", set)
          + (correction ? "" : " WHERE t.revision < EXCLUDED.revision");
    }

    static Table of(Class<?> type) {
      for (Table t : values()) {
        if (t.rollup == type || t.correction == type) {
          return t;
        }
      }
      return null;
    }
  }

  /** 'l' long, 'd' double, 'h' histogram (array of long). */
  static char kind(Schema.Field f) {
    return switch (f.schema().getType()) {
      case DOUBLE -> 'd';
      case ARRAY -> 'h';
      default -> 'l';
    };
  }

  /** The row a record addresses: organization, entity, hour. */
  record Key(Table table, List<String> parts, long windowStart) {}

  /** A correction's delta, or the sum of several for one row. */
  static final class Delta {
    final SpecificRecord first;
    final Object[] sums;
    long count;
    long late;

    Delta(SpecificRecord correction, Schema measures) {
      this.first = correction;
      this.sums = new Object[measures.getFields().size()];
      SpecificRecord delta = (SpecificRecord) get(correction, "delta");
      for (Schema.Field f : measures.getFields()) {
        Object v = delta.get(f.pos());
        if (kind(f) == 'h') {
          @SuppressWarnings("unchecked")
          List<Long> buckets = (List<Long>) v;
          long[] copy = new long[buckets.size()];
          for (int i = 0; i < copy.length; i++) {
            copy[i] = buckets.get(i);
          }
          sums[f.pos()] = copy;
        } else {
          sums[f.pos()] = v;
        }
      }
      this.count = 1;
      this.late = (Long) get(correction, "late_event_count");
    }

    void add(SpecificRecord correction, Schema measures) {
      SpecificRecord delta = (SpecificRecord) get(correction, "delta");
      for (Schema.Field f : measures.getFields()) {
        Object v = delta.get(f.pos());
        switch (kind(f)) {
          case 'd' -> sums[f.pos()] = (Double) sums[f.pos()] + (Double) v;
          case 'h' -> {
            long[] acc = (long[]) sums[f.pos()];
            @SuppressWarnings("unchecked")
            List<Long> buckets = (List<Long>) v;
            if (buckets.size() != acc.length) {
              throw new IllegalStateException("histogram sizes differ: checked when decoded");
            }
            for (int i = 0; i < acc.length; i++) {
              acc[i] += buckets.get(i);
            }
          }
          default -> sums[f.pos()] = (Long) sums[f.pos()] + (Long) v;
        }
      }
      count++;
      late += (Long) get(correction, "late_event_count");
    }
  }

  /** Rollups (highest revision) and corrections (summed) of one phase, per table. */
  private static final class Phase {
    final Map<Table, Map<Key, SpecificRecord>> rollups = new LinkedHashMap<>();
    final Map<Table, Map<Key, Delta>> corrections = new LinkedHashMap<>();
  }

  private final List<Phase> phases = new ArrayList<>();

  RollupWrites() {
    phases.add(new Phase());
  }

  /** Adds a rollup or correction of {@code table}. */
  void add(Table table, SpecificRecord record) {
    Key key = key(table, record);
    Phase phase = phases.get(phases.size() - 1);
    if (record.getClass() == table.rollup) {
      Map<Key, Delta> pending = phase.corrections.get(table);
      if (pending != null && pending.containsKey(key)) {
        phase = new Phase();
        phases.add(phase);
      }
      phase
          .rollups
          .computeIfAbsent(table, t -> new LinkedHashMap<>())
          .merge(
              key,
              record,
              (old, now) -> (Long) get(now, "revision") > (Long) get(old, "revision") ? now : old);
    } else {
      Map<Key, Delta> deltas = phase.corrections.computeIfAbsent(table, t -> new LinkedHashMap<>());
      Delta d = deltas.get(key);
      if (d == null) {
        deltas.put(key, new Delta(record, table.measures));
      } else {
        d.add(record, table.measures);
      }
    }
  }

  /** The months (first day, UTC) each table receives rows for, to create their partitions. */
  static Instant windowStart(SpecificRecord record) {
    return (Instant) get(record, "window_start");
  }

  /** The statements to run, in order: per phase, per table, rollups then deltas. */
  List<Sql.Statement> statements() {
    List<Sql.Statement> out = new ArrayList<>();
    for (Phase phase : phases) {
      for (Table table : Table.values()) {
        Map<Key, SpecificRecord> rollups = phase.rollups.get(table);
        if (rollups != null) {
          out.add(
              new Sql.Statement(table.name, table.rollupSql, rollupRows(table, rollups.values())));
        }
        Map<Key, Delta> deltas = phase.corrections.get(table);
        if (deltas != null) {
          List<Object[]> rows = new ArrayList<>(deltas.size());
          for (Delta d : deltas.values()) {
            rows.add(values(table, d.first, null, d));
          }
          out.add(new Sql.Statement(table.name, table.correctionSql, table.columns.rows(rows)));
        }
      }
    }
    return out;
  }

  /** The parameters of {@link Table#rollupSql} for these rollups of {@code table}. */
  static Unnest.Rows rollupRows(
      Table table, java.util.Collection<? extends SpecificRecord> rollups) {
    List<Object[]> rows = new ArrayList<>(rollups.size());
    for (SpecificRecord r : rollups) {
      rows.add(values(table, r, (SpecificRecord) get(r, "measures"), null));
    }
    return table.columns.rows(rows);
  }

  private static Object[] values(
      Table table, SpecificRecord record, SpecificRecord measures, Delta delta) {
    List<Object> v = new ArrayList<>();
    v.add(get(record, "organization_id"));
    table.uuidKeys.forEach(k -> v.add(get(record, k)));
    table.textColumns.forEach(k -> v.add(get(record, k)));
    v.add(Sql.millis((Instant) get(record, "window_start")));
    v.add(Sql.millis((Instant) get(record, "window_end")));
    for (Schema.Field f : table.measures.getFields()) {
      Object m = delta != null ? delta.sums[f.pos()] : measures.get(f.pos());
      if (kind(f) == 'h') {
        v.add(m instanceof long[] a ? Sql.histogram(a) : Sql.histogram(asLongs(m)));
      } else {
        v.add(m);
      }
    }
    if (delta == null) {
      v.add(get(record, "revision"));
      v.add(get(record, "is_final"));
      v.add(0L);
    } else {
      // A correction for a row that is not there yet inserts it as revision n, final.
      v.add(delta.count);
      v.add(true);
      v.add(delta.late);
    }
    return v.toArray();
  }

  @SuppressWarnings("unchecked")
  private static List<Long> asLongs(Object m) {
    return (List<Long>) m;
  }

  private static Key key(Table table, SpecificRecord r) {
    List<String> parts = new ArrayList<>();
    parts.add((String) get(r, "organization_id"));
    table.uuidKeys.forEach(k -> parts.add((String) get(r, k)));
    if (table.textInKey) {
      table.textColumns.forEach(k -> parts.add((String) get(r, k)));
    }
    return new Key(table, List.copyOf(parts), windowStart(r).toEpochMilli());
  }

  static Object get(SpecificRecord r, String field) {
    Schema.Field f = r.getSchema().getField(field);
    if (f == null) {
      throw new IllegalArgumentException(r.getSchema().getFullName() + " has no field " + field);
    }
    return r.get(f.pos());
  }

  /** Histograms of a rollup or correction of {@code family}, to check their length when decoded. */
  static List<List<Long>> histograms(Family family, SpecificRecord record) {
    Table table = Table.of(family.rollupType());
    SpecificRecord m =
        (SpecificRecord) get(record, record.getClass() == table.rollup ? "measures" : "delta");
    List<List<Long>> out = new ArrayList<>();
    for (Schema.Field f : table.measures.getFields()) {
      if (kind(f) == 'h') {
        out.add(asLongs(m.get(f.pos())));
      }
    }
    return out;
  }
}
