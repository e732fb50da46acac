package dev.hourglass.sink;

import dev.hourglass.contract.Family;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Rollups and corrections into each family's {@code *_rollups_hourly} table, one statement per
 * table and kind per phase.
 *
 * <p>Within a batch the records of one row are collapsed where that is equivalent to applying them
 * one by one: rollups keep the highest revision (a rollup replaces the row only when its revision
 * is newer, so the highest wins either way); corrections add up (deltas, revision bumps and late
 * counts are sums). Rollups are applied before corrections, which is their order on the topic. A
 * rollup that follows a correction of the same row in the batch starts a new phase, so the
 * correction is applied first, as it was published.
 */
final class RollupWrites {

  /** The SQL type of a rollup table's entity key column. */
  enum KeyType {
    UUID,
    TEXT
  }

  /**
   * How one family's rollup table maps onto its records. The family gives the rollup and correction
   * types, the entity key column ({@link Family#entityKeyField()}) and the measure columns ({@link
   * Family#measuresSchema()}); the table's name, its key column's type and the entity's other
   * attributes are declared in {@link #declare}. Every name here is code, never data.
   */
  static final class Table {
    private static final Map<Family, Table> BY_FAMILY = new EnumMap<>(Family.class);

    static {
      for (Family f : Family.values()) {
        BY_FAMILY.put(f, declare(f));
      }
    }

    /**
     * Each family's table: a switch expression, so that a family added to the contract does not
     * compile until its table is declared here.
     */
    private static Table declare(Family f) {
      return switch (f) {
        case TASK -> new Table(f, "task_rollups_hourly", KeyType.UUID, List.of());
        case AGENT -> new Table(f, "agent_rollups_hourly", KeyType.UUID, List.of("agent_type"));
        case INTEGRATION -> new Table(f, "integration_rollups_hourly", KeyType.TEXT, List.of());
      };
    }

    final Family family;
    final String name;

    /** The entity key column, after organization_id in the primary key. */
    final String key;

    final KeyType keyType;

    /** Text attributes of the entity, not in the key, that a newer rollup replaces. */
    final List<String> attributes;

    final Schema measures;

    /** The statements' columns; a row is the {@code Object[]} of {@link #values}, in this order. */
    final Unnest<Object[]> columns;

    final String rollupSql;
    final String correctionSql;

    private Table(Family family, String name, KeyType keyType, List<String> attributes) {
      this.family = family;
      this.name = name;
      this.key = family.entityKeyField();
      this.keyType = keyType;
      this.attributes = List.copyOf(attributes);
      this.measures = family.measuresSchema();
      this.columns = columns();
      this.rollupSql = sql(false);
      this.correctionSql = sql(true);
    }

    /** The table of {@code family}'s rollups and corrections. */
    static Table of(Family family) {
      return BY_FAMILY.get(family);
    }

    /** Every family's table, in family order. */
    static Collection<Table> all() {
      return BY_FAMILY.values();
    }

    List<String> conflictKey() {
      return List.of("organization_id", key, "window_start");
    }

    private Unnest<Object[]> columns() {
      Unnest<Object[]> u = new Unnest<>();
      positional(u, "organization_id", "text");
      positional(u, key, "text");
      attributes.forEach(a -> positional(u, a, "text"));
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
      cols.add(key);
      exprs.add(keyType == KeyType.UUID ? "u." + key + "::uuid" : "u." + key);
      for (String a : attributes) {
        cols.add(a);
        exprs.add("u." + a);
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
        attributes.forEach(a -> set.add(a + " = EXCLUDED." + a));
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
  }

  /** 'l' long, 'd' double, 'h' histogram (array of long). */
  static char kind(Schema.Field f) {
    return switch (f.schema().getType()) {
      case DOUBLE -> 'd';
      case ARRAY -> 'h';
      default -> 'l';
    };
  }

  /** The row a record addresses in its table: organization, entity, hour. */
  record Key(String organizationId, String entityKey, long windowStart) {}

  /** A correction's delta, or the sum of several for one row. */
  static final class Delta {
    final SpecificRecord first;
    final Object[] sums;
    long count;
    long late;

    Delta(Table table, SpecificRecord correction) {
      this.first = correction;
      this.sums = new Object[table.measures.getFields().size()];
      SpecificRecord delta = measures(table.family, correction);
      for (Schema.Field f : table.measures.getFields()) {
        Object v = delta.get(f.pos());
        if (kind(f) == 'h') {
          List<Long> buckets = asLongs(v);
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

    void add(Table table, SpecificRecord correction) {
      SpecificRecord delta = measures(table.family, correction);
      for (Schema.Field f : table.measures.getFields()) {
        Object v = delta.get(f.pos());
        switch (kind(f)) {
          case 'd' -> sums[f.pos()] = (Double) sums[f.pos()] + (Double) v;
          case 'h' -> {
            long[] acc = (long[]) sums[f.pos()];
            List<Long> buckets = asLongs(v);
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

  /** Adds a rollup or correction of {@code family}. */
  void add(Family family, SpecificRecord record) {
    Table table = Table.of(family);
    Key key = key(family, record);
    Phase phase = phases.get(phases.size() - 1);
    if (isRollup(family, record)) {
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
        deltas.put(key, new Delta(table, record));
      } else {
        d.add(table, record);
      }
    }
  }

  /** The months (first day, UTC) each table receives rows for, to create their partitions. */
  Map<String, Set<LocalDate>> months() {
    Map<String, Set<LocalDate>> months = new TreeMap<>();
    for (Phase phase : phases) {
      phase.rollups.forEach((table, rows) -> addMonths(months, table, rows.keySet()));
      phase.corrections.forEach((table, rows) -> addMonths(months, table, rows.keySet()));
    }
    return months;
  }

  private static void addMonths(
      Map<String, Set<LocalDate>> months, Table table, Collection<Key> keys) {
    Set<LocalDate> days = months.computeIfAbsent(table.name, t -> new TreeSet<>());
    keys.forEach(k -> days.add(Partitions.month(k.windowStart())));
  }

  /** The statements to run, in order: per phase, per table, rollups then deltas. */
  List<Sql.Statement> statements() {
    List<Sql.Statement> out = new ArrayList<>();
    for (Phase phase : phases) {
      for (Table table : Table.all()) {
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
  static Unnest.Rows rollupRows(Table table, Collection<? extends SpecificRecord> rollups) {
    List<Object[]> rows = new ArrayList<>(rollups.size());
    for (SpecificRecord r : rollups) {
      rows.add(values(table, r, measures(table.family, r), null));
    }
    return table.columns.rows(rows);
  }

  private static Object[] values(
      Table table, SpecificRecord record, SpecificRecord measures, Delta delta) {
    List<Object> v = new ArrayList<>();
    v.add(table.family.organizationId(record));
    v.add(table.family.entityKey(record));
    table.attributes.forEach(a -> v.add(get(record, a)));
    v.add(Sql.millis(table.family.windowStart(record)));
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

  private static Key key(Family family, SpecificRecord r) {
    return new Key(
        family.organizationId(r), family.entityKey(r), family.windowStart(r).toEpochMilli());
  }

  private static boolean isRollup(Family family, SpecificRecord record) {
    return record.getClass() == family.rollupType();
  }

  /** The measures record of a rollup ({@code measures}) or a correction ({@code delta}). */
  private static SpecificRecord measures(Family family, SpecificRecord record) {
    return (SpecificRecord) get(record, isRollup(family, record) ? "measures" : "delta");
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
    SpecificRecord m = measures(family, record);
    List<List<Long>> out = new ArrayList<>();
    for (Schema.Field f : family.measuresSchema().getFields()) {
      if (kind(f) == 'h') {
        out.add(asLongs(m.get(f.pos())));
      }
    }
    return out;
  }
}
