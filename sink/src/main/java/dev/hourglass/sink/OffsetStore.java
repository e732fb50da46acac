package dev.hourglass.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The sink's Kafka positions in {@code sink_offsets}, one row per (group, topic, partition), moved
 * only by compare-and-set inside the transaction that writes the rows they cover.
 */
final class OffsetStore {
  /** No row yet for a partition: the sink reads it from the beginning. */
  static final long NONE = -1;

  private static final String LOAD =
      "SELECT topic, partition, next_offset FROM sink_offsets"
          + " WHERE consumer_group = ? AND topic = ANY (?)";
  private static final String UPDATE =
      "UPDATE sink_offsets SET next_offset = ?, updated_at = now()"
          + " WHERE consumer_group = ? AND topic = ? AND partition = ? AND next_offset = ?";

  /** A concurrent first insert of the same partition is a conflict: DO NOTHING, 0 rows, refused. */
  private static final String INSERT =
      "INSERT INTO sink_offsets (consumer_group, topic, partition, next_offset)"
          + " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";

  /**
   * Where a partition's stored offset must be and where it goes.
   *
   * @param expected the stored next offset the batch started from, or {@link #NONE}
   * @param next the offset after the batch
   */
  record Advance(long expected, long next) {}

  private final String group;

  OffsetStore(String group) {
    this.group = group;
  }

  /** Stored next offsets of {@code partitions}; absent ones map to {@link #NONE}. */
  Map<TopicPartition, Long> load(Connection c, Collection<TopicPartition> partitions)
      throws SQLException {
    Map<TopicPartition, Long> out = new HashMap<>();
    partitions.forEach(tp -> out.put(tp, NONE));
    String[] topics =
        partitions.stream().map(TopicPartition::topic).distinct().toArray(String[]::new);
    try (PreparedStatement ps = c.prepareStatement(LOAD)) {
      ps.setString(1, group);
      ps.setArray(2, c.createArrayOf("text", topics));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          TopicPartition tp = new TopicPartition(rs.getString(1), rs.getInt(2));
          if (out.containsKey(tp)) {
            out.put(tp, rs.getLong(3));
          }
        }
      }
    }
    return out;
  }

  /**
   * Moves every partition from its expected offset to its next one, in {@code c}'s transaction.
   *
   * @return false when any partition's stored offset was not the expected one (another instance
   *     moved it, or a first row appeared meanwhile): the caller must roll back
   */
  boolean advance(Connection c, Map<TopicPartition, Advance> advances) throws SQLException {
    // Sorted, so that two instances lock rows in the same order.
    Map<TopicPartition, Advance> sorted =
        new TreeMap<>(
            java.util.Comparator.comparing(TopicPartition::topic)
                .thenComparingInt(TopicPartition::partition));
    sorted.putAll(advances);
    try (PreparedStatement update = c.prepareStatement(UPDATE);
        PreparedStatement insert = c.prepareStatement(INSERT)) {
      for (Map.Entry<TopicPartition, Advance> e : sorted.entrySet()) {
        TopicPartition tp = e.getKey();
        Advance a = e.getValue();
        int rows;
        if (a.expected() == NONE) {
          insert.setString(1, group);
          insert.setString(2, tp.topic());
          insert.setInt(3, tp.partition());
          insert.setLong(4, a.next());
          rows = insert.executeUpdate();
        } else {
          update.setLong(1, a.next());
          update.setString(2, group);
          update.setString(3, tp.topic());
          update.setInt(4, tp.partition());
          update.setLong(5, a.expected());
          rows = update.executeUpdate();
        }
        if (rows != 1) {
          return false;
        }
      }
    }
    return true;
  }
}
