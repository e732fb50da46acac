package dev.hourglass.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.avro.LogHistogram;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

@HourglassIT
class HistogramFunctionsIT {
  private static final String ORG = "00000000-0000-0000-0000-00000000000a";
  private static final String AGENT = "00000000-0000-0000-0000-0000000000c1";

  @Test
  void shouldReportSameBucketBoundsAsLogHistogram(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      List<Double> sql = new ArrayList<>();
      for (var row :
          Sql.rows(c, "SELECT hg_upper_bound(i) AS b FROM generate_series(0, 127) i ORDER BY i")) {
        sql.add((Double) row.get("b"));
      }
      List<Double> java = new ArrayList<>();
      for (int i = 0; i < LogHistogram.BUCKETS; i++) {
        java.add(LogHistogram.upperBound(i));
      }
      assertThat(sql).containsExactlyElementsOf(java);
    }
  }

  @Test
  void shouldPutValuesInSameBucketsAsLogHistogram(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    double[] values = {
      -5,
      0,
      1,
      1.0000001,
      1.189207115002721,
      1.19,
      2,
      2.0000001,
      100,
      1000,
      65536,
      4.2e9,
      1e15,
      Double.NaN
    };
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement("SELECT hg_bucket_of(?)")) {
      for (double v : values) {
        ps.setDouble(1, v);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          assertThat(rs.getInt(1)).as("bucket of %s", v).isEqualTo(LogHistogram.bucketOf(v));
        }
      }
    }
  }

  @Test
  void shouldComputeHandBuiltPercentiles(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    // 100 values: 50 in bucket 10, 45 in bucket 20, 5 in bucket 30.
    Long[] h = zeros();
    h[10] = 50L;
    h[20] = 45L;
    h[30] = 5L;
    try (Connection c = db.connect()) {
      assertThat(percentile(c, h, 0.5)).isEqualTo(Math.pow(2, 10 / 4.0));
      assertThat(percentile(c, h, 0.51)).isEqualTo(32.0);
      assertThat(percentile(c, h, 0.95)).isEqualTo(32.0);
      assertThat(percentile(c, h, 0.96)).isEqualTo(181.01933598375618);
      assertThat(percentile(c, h, 1.0)).isEqualTo(181.01933598375618);
      assertThat(percentile(c, zeros(), 0.5)).isNaN();
      assertThat(Sql.value(c, "SELECT hg_count(?::bigint[])", c.createArrayOf("bigint", h)))
          .isEqualTo(100L);
    }
  }

  @Test
  void shouldMatchLogHistogramPercentileOnRandomHistograms(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    Random random = new Random(42);
    double[] quantiles = {0.001, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0};
    try (Connection c = db.connect()) {
      for (int n = 0; n < 50; n++) {
        Long[] h = zeros();
        int filled = 1 + random.nextInt(12);
        for (int k = 0; k < filled; k++) {
          h[random.nextInt(LogHistogram.BUCKETS)] += 1 + random.nextInt(1000);
        }
        for (double q : quantiles) {
          assertThat(percentile(c, h, q))
              .as("q=%s of %s", q, Arrays.toString(h))
              .isEqualTo(LogHistogram.percentile(Arrays.asList(h), q));
        }
      }
    }
  }

  @Test
  void shouldRejectQuantileOutsideZeroToOne(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      assertThatThrownBy(() -> percentile(c, zeros(), 0.0))
          .hasMessageContaining("Invalid value 0 for quantile: must be in (0, 1]");
      assertThatThrownBy(() -> percentile(c, zeros(), 1.5))
          .hasMessageContaining("Invalid value 1.5 for quantile: must be in (0, 1]");
    }
  }

  @Test
  void shouldMergeHourlyHistogramsIntoPercentilesOverAnyRange(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    Long[] hour1 = zeros();
    hour1[8] = 3L;
    hour1[12] = 1L;
    Long[] hour2 = zeros();
    hour2[8] = 1L;
    hour2[40] = 2L;
    Long[] hour3 = zeros();
    hour3[60] = 4L;
    try (Connection c = db.connect()) {
      insertAgentHour(c, 3, hour1);
      insertAgentHour(c, 2, hour2);
      insertAgentHour(c, 1, hour3);

      List<Long> merged = mergedHistogram(c, 3, 2);
      assertThat(merged).isEqualTo(LogHistogram.merge(Arrays.asList(hour1), Arrays.asList(hour2)));
      assertThat(merged.stream().mapToLong(Long::longValue).sum()).isEqualTo(7L);

      // Hours 3 and 2: 4 values in bucket 8, 1 in 12, 2 in 40; p95 is rank 7, bucket 40.
      assertThat(rangePercentile(c, 3, 2, 0.95)).isEqualTo(1024.0);
      assertThat(rangePercentile(c, 3, 2, 0.5)).isEqualTo(4.0);
      // All three hours: 11 values, p50 is rank 6 (bucket 40), p95 rank 11 (bucket 60).
      assertThat(rangePercentile(c, 3, 1, 0.5)).isEqualTo(1024.0);
      assertThat(rangePercentile(c, 3, 1, 0.95)).isEqualTo(32768.0);
    }
  }

  @Test
  void shouldAddHistogramsElementWiseAndRejectDifferentLengths(TestDatabase db)
      throws SQLException {
    Sql.migrate(db);
    try (Connection c = db.connect()) {
      assertThat(
              Sql.value(
                  c, "SELECT hg_add(ARRAY[1, 2, 3]::bigint[], ARRAY[10, 20, 30]::bigint[])::text"))
          .isEqualTo("{11,22,33}");
      assertThatThrownBy(
              () -> Sql.value(c, "SELECT hg_add(ARRAY[1, 2]::bigint[], ARRAY[1]::bigint[])"))
          .hasMessageContaining("Invalid value 1 for histogram length: must equal 2");
    }
  }

  private static Long[] zeros() {
    Long[] h = new Long[LogHistogram.BUCKETS];
    Arrays.fill(h, 0L);
    return h;
  }

  private static double percentile(Connection c, Long[] h, double q) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT hg_percentile(?::bigint[], ?)")) {
      ps.setArray(1, c.createArrayOf("bigint", h));
      ps.setDouble(2, q);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getDouble(1);
      }
    }
  }

  private static void insertAgentHour(Connection c, int hoursAgo, Long[] histogram)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO agent_rollups_hourly (organization_id, agent_id, agent_type, window_start,"
                + " window_end, event_count, duration_histogram)"
                + " SELECT ?::uuid, ?::uuid, 'codegen', w, w + interval '1 hour', 1, ?"
                + " FROM (SELECT date_trunc('hour', now()) - make_interval(hours => ?) AS w) s")) {
      ps.setString(1, ORG);
      ps.setString(2, AGENT);
      ps.setArray(3, c.createArrayOf("bigint", histogram));
      ps.setInt(4, hoursAgo);
      ps.executeUpdate();
    }
  }

  private static final String RANGE =
      " FROM agent_rollups_hourly WHERE organization_id = ?::uuid AND agent_id = ?::uuid"
          + " AND window_start BETWEEN date_trunc('hour', now()) - make_interval(hours => ?)"
          + " AND date_trunc('hour', now()) - make_interval(hours => ?)";

  private static List<Long> mergedHistogram(Connection c, int fromHoursAgo, int toHoursAgo)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT hg_merge(duration_histogram)" + RANGE)) {
      ps.setString(1, ORG);
      ps.setString(2, AGENT);
      ps.setInt(3, fromHoursAgo);
      ps.setInt(4, toHoursAgo);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        Array a = rs.getArray(1);
        return Arrays.asList((Long[]) a.getArray());
      }
    }
  }

  private static double rangePercentile(Connection c, int fromHoursAgo, int toHoursAgo, double q)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT hg_percentile(hg_merge(duration_histogram), ?)" + RANGE)) {
      ps.setDouble(1, q);
      ps.setString(2, ORG);
      ps.setString(3, AGENT);
      ps.setInt(4, fromHoursAgo);
      ps.setInt(5, toHoursAgo);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getDouble(1);
      }
    }
  }
}
