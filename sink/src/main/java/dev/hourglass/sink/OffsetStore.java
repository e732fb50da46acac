package dev.hourglass.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The sink's Kafka positions in {@code sink_offsets}, one row per (group, topic, partition), moved
 * only by compare-and-set inside the transaction that writes the rows they cover.
 *
 * <p>The compare-and-set is fenced: an instance that takes a partition over {@link #claim claims}
 * it, incrementing the row's {@code owner_epoch}, and every move it makes requires that epoch. An
 * instance that lost the partition (paused past its session timeout, then woken) still holds the
 * older epoch, so its commit is refused even when nothing has been committed since the takeover.
 */
final class OffsetStore {
  /** No row yet for a partition: the sink reads it from the beginning. */
  static final long NONE = -1;

  private static final Comparator<TopicPartition> ORDER =
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

  private static final String LOAD =
      "SELECT topic, partition, next_offset FROM sink_offsets"
          + " WHERE consumer_group = ? AND topic = ANY (?)";
  private static final String ROWS =
      "SELECT topic, partition, next_offset, owner_epoch FROM sink_offsets"
          + " WHERE consumer_group = ? AND topic = ANY (?)";

  /** A new row version of the same offset, under this instance's epoch only. */
  private static final String TOUCH =
      "UPDATE sink_offsets SET next_offset = next_offset"
          + " WHERE consumer_group = ? AND topic = ? AND partition = ? AND owner_epoch = ?";

  private static final String UPDATE =
      "UPDATE sink_offsets SET next_offset = ?, updated_at = now()"
          + " WHERE consumer_group = ? AND topic = ? AND partition = ? AND next_offset = ?"
          + " AND owner_epoch = ?";

  /**
   * A partition without a row gets one at 0, which the sink reads as "from the beginning" (no row
   * counts as 0 too); an existing row keeps its offset and moves to the next epoch. Waits for a
   * commit in flight on the row, so that the claimer reads the offset that commit left.
   */
  private static final String CLAIM =
      "INSERT INTO sink_offsets AS o (consumer_group, topic, partition, next_offset)"
          + " VALUES (?, ?, ?, 0) ON CONFLICT (consumer_group, topic, partition)"
          + " DO UPDATE SET owner_epoch = o.owner_epoch + 1"
          + " RETURNING next_offset, owner_epoch";

  /**
   * Where a partition's stored offset must be and where it goes.
   *
   * @param expected the stored next offset the batch started from (claimed or committed)
   * @param next the offset after the batch
   * @param epoch the owner epoch this instance claimed the partition with
   */
  record Advance(long expected, long next, long epoch) {}

  /**
   * A claimed partition.
   *
   * @param next its stored next offset (0: read it from the beginning)
   * @param epoch the owner epoch of this claim, required by every later {@link Advance}
   */
  record Claim(long next, long epoch) {}

  /**
   * A partition whose stored offset went back behind this instance's last commit of it, its owner
   * epoch still the one this instance claimed it with: PostgreSQL lost commits that it had
   * acknowledged (asynchronous commits lost in a crash, or a backup restored), rows and offsets
   * together. No instance moves an offset back.
   *
   * @param stored the stored next offset now
   * @param committed the next offset this instance committed last (or claimed)
   */
  record Behind(long stored, long committed) {}

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
   * Takes {@code partitions} over, in {@code c}'s transaction: reads each stored offset and moves
   * its row to a new owner epoch, which fences every earlier owner's commits out.
   */
  Map<TopicPartition, Claim> claim(Connection c, Collection<TopicPartition> partitions)
      throws SQLException {
    Map<TopicPartition, Claim> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
      // Sorted, so that two claimers lock rows in the same order.
      for (TopicPartition tp : sorted(partitions)) {
        ps.setString(1, group);
        ps.setString(2, tp.topic());
        ps.setInt(3, tp.partition());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          out.put(tp, new Claim(rs.getLong(1), rs.getLong(2)));
        }
      }
    }
    return out;
  }

  /**
   * The partitions of {@code expected} whose stored offset is behind the expected one under the
   * expected epoch, read in {@code c}'s transaction. A row of another epoch is not behind: another
   * instance claimed it, which the compare-and-set rejects on its own.
   */
  Map<TopicPartition, Behind> behind(Connection c, Map<TopicPartition, Claim> expected)
      throws SQLException {
    Map<TopicPartition, Behind> out = new TreeMap<>(ORDER);
    if (expected.isEmpty()) {
      return out;
    }
    String[] topics =
        expected.keySet().stream().map(TopicPartition::topic).distinct().toArray(String[]::new);
    try (PreparedStatement ps = c.prepareStatement(ROWS)) {
      ps.setString(1, group);
      ps.setArray(2, c.createArrayOf("text", topics));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Claim want = expected.get(new TopicPartition(rs.getString(1), rs.getInt(2)));
          long next = rs.getLong(3);
          if (want != null && rs.getLong(4) == want.epoch() && next < want.next()) {
            out.put(
                new TopicPartition(rs.getString(1), rs.getInt(2)), new Behind(next, want.next()));
          }
        }
      }
    }
    return out;
  }

  /**
   * Rewrites the rows of {@code partitions} that still carry the given epoch, unchanged, in {@code
   * c}'s transaction: a write, so that a synchronous commit of it waits for the WAL up to it, and
   * with it for every commit before. A row another instance has claimed since is left alone: its
   * claim, synchronous, did the same.
   */
  void touch(Connection c, Map<TopicPartition, Claim> partitions) throws SQLException {
    Map<TopicPartition, Claim> sorted = new TreeMap<>(ORDER);
    sorted.putAll(partitions);
    try (PreparedStatement ps = c.prepareStatement(TOUCH)) {
      for (Map.Entry<TopicPartition, Claim> e : sorted.entrySet()) {
        ps.setString(1, group);
        ps.setString(2, e.getKey().topic());
        ps.setInt(3, e.getKey().partition());
        ps.setLong(4, e.getValue().epoch());
        ps.executeUpdate();
      }
    }
  }

  private static List<TopicPartition> sorted(Collection<TopicPartition> partitions) {
    return partitions.stream().sorted(ORDER).toList();
  }

  /**
   * Moves every partition from its expected offset to its next one, in {@code c}'s transaction.
   *
   * @return false when any partition's stored offset or owner epoch was not the expected one
   *     (another instance moved or claimed it since this one claimed it): the caller must roll back
   */
  boolean advance(Connection c, Map<TopicPartition, Advance> advances) throws SQLException {
    // Sorted, so that two instances lock rows in the same order.
    Map<TopicPartition, Advance> sorted = new TreeMap<>(ORDER);
    sorted.putAll(advances);
    try (PreparedStatement update = c.prepareStatement(UPDATE)) {
      for (Map.Entry<TopicPartition, Advance> e : sorted.entrySet()) {
        TopicPartition tp = e.getKey();
        Advance a = e.getValue();
        update.setLong(1, a.next());
        update.setString(2, group);
        update.setString(3, tp.topic());
        update.setInt(4, tp.partition());
        update.setLong(5, a.expected());
        update.setLong(6, a.epoch());
        if (update.executeUpdate() != 1) {
          return false;
        }
      }
    }
    return true;
  }
}
