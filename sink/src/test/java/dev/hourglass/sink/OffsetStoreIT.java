package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The fenced compare-and-set of {@code sink_offsets}, on a real PostgreSQL. */
@HourglassIT
class OffsetStoreIT {
  private static final TopicPartition TP = new TopicPartition("hourglass.rollups", 3);

  @Test
  void shouldRefuseTheCommitOfAnInstanceWhosePartitionWasClaimedSinceEvenWithOffsetsUnmoved(
      TestDatabase db) throws Exception {
    Fixtures.migrate(db);
    OffsetStore store = new OffsetStore("group-a");
    try (Connection first = db.connect();
        Connection second = db.connect()) {
      first.setAutoCommit(false);
      second.setAutoCommit(false);
      assertThat(store.claim(first, List.of(TP))).containsExactly(entry(0, 0));
      first.commit();
      assertThat(store.advance(first, Map.of(TP, new OffsetStore.Advance(0, 10, 0)))).isTrue();
      first.commit();

      // The partition moves to a second instance, which has committed nothing when the first,
      // woken up, tries its next batch from the offset it left.
      assertThat(store.claim(second, List.of(TP))).containsExactly(entry(10, 1));
      second.commit();
      assertThat(store.advance(first, Map.of(TP, new OffsetStore.Advance(10, 20, 0)))).isFalse();
      first.rollback();
      assertThat(store.advance(second, Map.of(TP, new OffsetStore.Advance(10, 20, 1)))).isTrue();
      second.commit();

      assertThat(store.load(first, List.of(TP))).containsExactly(Map.entry(TP, 20L));
    }
  }

  private static Map.Entry<TopicPartition, OffsetStore.Claim> entry(long next, long epoch) {
    return Map.entry(TP, new OffsetStore.Claim(next, epoch));
  }
}
