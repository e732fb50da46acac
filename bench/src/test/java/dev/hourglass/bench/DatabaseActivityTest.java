package dev.hourglass.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatabaseActivityTest {
  private static PipelineSampler.Sample sample(
      double seconds, long sinkLag, long checkpoints, long walBytes, long fpi, long vacuums) {
    return new PipelineSampler.Sample(
        seconds,
        0,
        0,
        0,
        0,
        sinkLag,
        null,
        new DatabaseActivity(checkpoints, walBytes, fpi, vacuums));
  }

  @Test
  void shouldLayCheckpointStartsBesideTheSecondsTheSinkWasBehind() {
    // At 1,000 events/s, 2 s behind is 2,000 records.
    List<PipelineSampler.Sample> samples =
        List.of(
            sample(0, 100, 7, 0, 0, 0),
            sample(1, 2_500, 8, 4_000_000, 300, 0),
            sample(2, 3_000, 8, 8_000_000, 500, 1),
            sample(3, 100, 8, 9_000_000, 510, 1),
            sample(4, 2_100, 9, 10_000_000, 700, 0));

    assertThat(DatabaseActivity.describe(samples, 1_000, 2))
        .isEqualTo(
            "PostgreSQL meanwhile: 2 checkpoints started (at 1, 4 s); 10 MB of WAL (2.5 MB/s, 700"
                + " full-page images); a vacuum running in 2 of 4 samples. The sink more than 2 s"
                + " of input behind at: 1-2, 4 s");
  }

  @Test
  void shouldSayNothingWhenTheServerHadNoActivityToRead() {
    PipelineSampler.Sample unread = new PipelineSampler.Sample(0, 0, 0, 0, 0, 0, null, null);

    assertThat(DatabaseActivity.describe(List.of(unread, unread), 1_000, 2)).isNull();
  }
}
