package dev.hourglass.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class LogHistogramTest {

  @Test
  void shouldPutValuesUpToOneInBucketZero() {
    assertThat(LogHistogram.bucketOf(0)).isZero();
    assertThat(LogHistogram.bucketOf(0.5)).isZero();
    assertThat(LogHistogram.bucketOf(1)).isZero();
    assertThat(LogHistogram.bucketOf(-7)).isZero();
  }

  @Test
  void shouldPutEachValueInTheBucketWhoseUpperBoundIsTheFirstAtOrAboveIt() {
    assertThat(LogHistogram.bucketOf(1.0001)).isEqualTo(1);
    assertThat(LogHistogram.bucketOf(1.189)).isEqualTo(1);
    assertThat(LogHistogram.bucketOf(1.19)).isEqualTo(2);
    assertThat(LogHistogram.bucketOf(2)).isEqualTo(4);
    assertThat(LogHistogram.bucketOf(2.000001)).isEqualTo(5);
    assertThat(LogHistogram.bucketOf(3)).isEqualTo(7);
    assertThat(LogHistogram.bucketOf(1024)).isEqualTo(40);
    assertThat(LogHistogram.bucketOf(1500)).isEqualTo(43);
    assertThat(LogHistogram.bucketOf(41_250)).isEqualTo(62);
  }

  @Test
  void shouldPutEverythingBeyondTheLastBoundInTheLastBucket() {
    assertThat(LogHistogram.bucketOf(Math.pow(2, 31.75))).isEqualTo(127);
    assertThat(LogHistogram.bucketOf(1e12)).isEqualTo(127);
    assertThat(LogHistogram.bucketOf(Double.POSITIVE_INFINITY)).isEqualTo(127);
  }

  @Test
  void shouldReportUpperBoundsAsPowersOfTheFourthRootOfTwo() {
    assertThat(LogHistogram.upperBound(0)).isEqualTo(1.0);
    assertThat(LogHistogram.upperBound(4)).isEqualTo(2.0);
    assertThat(LogHistogram.upperBound(40)).isEqualTo(1024.0);
    assertThat(LogHistogram.upperBound(1)).isCloseTo(1.189207115002721, within(1e-12));
    assertThat(LogHistogram.upperBound(127)).isCloseTo(3.6116226028383393e9, within(1e-3));
  }

  @Test
  void shouldAddAndMergeCountsElementWise() {
    List<Long> a = LogHistogram.add(LogHistogram.add(LogHistogram.empty(), 1500), 1500);
    List<Long> b = LogHistogram.add(LogHistogram.empty(), 41_250);
    List<Long> merged = LogHistogram.merge(a, b);

    assertThat(merged).hasSize(128);
    assertThat(merged.get(43)).isEqualTo(2L);
    assertThat(merged.get(62)).isEqualTo(1L);
    assertThat(merged.stream().mapToLong(Long::longValue).sum()).isEqualTo(3L);
    assertThat(LogHistogram.empty()).hasSize(128).containsOnly(0L);
  }

  @Test
  void shouldReportNearestRankPercentileAsTheBucketUpperBound() {
    List<Long> counts = Samples.histogram(); // 1, 1500 and 41250 ms

    assertThat(LogHistogram.percentile(counts, 0.01)).isEqualTo(1.0);
    assertThat(LogHistogram.percentile(counts, 0.34)).isCloseTo(1722.1558584396073, within(1e-9));
    assertThat(LogHistogram.percentile(counts, 0.5)).isCloseTo(1722.1558584396073, within(1e-9));
    assertThat(LogHistogram.percentile(counts, 0.67)).isCloseTo(46340.95001184158, within(1e-9));
    assertThat(LogHistogram.percentile(counts, 1)).isCloseTo(46340.95001184158, within(1e-9));
  }

  @Test
  void shouldReportNaNForEmptyHistogram() {
    assertThat(LogHistogram.percentile(LogHistogram.empty(), 0.99)).isNaN();
  }

  @Test
  void shouldRefuseQuantileOutsideZeroToOne() {
    assertThatThrownBy(() -> LogHistogram.percentile(LogHistogram.empty(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value 0.0 for quantile: must be in (0, 1]");
    assertThatThrownBy(() -> LogHistogram.percentile(LogHistogram.empty(), 1.5))
        .hasMessage("Invalid value 1.5 for quantile: must be in (0, 1]");
  }
}
