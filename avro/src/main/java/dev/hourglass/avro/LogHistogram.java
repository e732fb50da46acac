package dev.hourglass.avro;

import java.util.List;

/**
 * A fixed log-scale histogram of non-negative values (milliseconds), mergeable by element-wise sum,
 * so that percentiles over any range of hours are computed from hourly rows. PostgreSQL's {@code
 * hg_percentile} uses the same buckets.
 *
 * <p>Bucket 0 holds values up to 1; bucket {@code i > 0} holds values in {@code (2^((i-1)/4),
 * 2^(i/4)]}, so a percentile is reported as the upper bound of its bucket, at most 19% above the
 * true value. The last bucket, {@value #BUCKETS}-1, also holds everything larger (2^31.75 ms is
 * about 40 days).
 */
public final class LogHistogram {
  public static final int BUCKETS = 128;
  private static final double[] UPPER = new double[BUCKETS];

  static {
    for (int i = 0; i < BUCKETS; i++) {
      UPPER[i] = Math.pow(2, i / 4.0);
    }
  }

  private LogHistogram() {}

  /** The bucket that counts {@code value}. */
  public static int bucketOf(double value) {
    if (!(value > 1)) {
      return 0;
    }
    int lo = 1;
    int hi = BUCKETS - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (value <= UPPER[mid]) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** The value reported for bucket {@code i}: its upper bound, {@code 2^(i/4)}. */
  public static double upperBound(int bucket) {
    return UPPER[bucket];
  }

  /** A histogram with no values, as the list Avro records carry. */
  public static List<Long> empty() {
    return java.util.Collections.nCopies(BUCKETS, 0L);
  }

  /** Counts of {@code a} plus counts of {@code b}. */
  public static List<Long> merge(List<Long> a, List<Long> b) {
    Long[] out = new Long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      out[i] = a.get(i) + b.get(i);
    }
    return List.of(out);
  }

  /** {@code counts} with one more {@code value}. */
  public static List<Long> add(List<Long> counts, double value) {
    Long[] out = counts.toArray(new Long[0]);
    out[bucketOf(value)] += 1;
    return List.of(out);
  }

  /**
   * The nearest-rank {@code q}-quantile ({@code 0 < q <= 1}): the upper bound of the first bucket
   * whose cumulative count reaches {@code ceil(q * total)}; NaN when empty.
   */
  public static double percentile(List<Long> counts, double q) {
    if (!(q > 0 && q <= 1)) {
      throw new IllegalArgumentException("Invalid value " + q + " for quantile: must be in (0, 1]");
    }
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    if (total == 0) {
      return Double.NaN;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < counts.size(); i++) {
      seen += counts.get(i);
      if (seen >= rank) {
        return UPPER[i];
      }
    }
    return UPPER[BUCKETS - 1];
  }
}
