package dev.hourglass.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlinkJobTest {
  private static Path checkpoint(Path dir, String job, String chk, Instant at) throws IOException {
    Path metadata = Files.createDirectories(dir.resolve(job).resolve(chk)).resolve("_metadata");
    Files.write(metadata, new byte[] {1});
    Files.setLastModifiedTime(metadata, FileTime.from(at));
    return metadata.getParent();
  }

  @Test
  void shouldRestoreTheNewestCompletedCheckpointOfAnyEarlierJob(@TempDir Path dir)
      throws IOException {
    checkpoint(dir, "job-1", "chk-7", Instant.parse("2026-01-05T10:00:00Z"));
    Path newest = checkpoint(dir, "job-2", "chk-2", Instant.parse("2026-01-05T10:00:09Z"));
    // A checkpoint still being written has no _metadata yet.
    Files.createDirectories(dir.resolve("job-2").resolve("chk-3"));

    assertThat(FlinkJob.latestCheckpoint(dir)).contains(newest);
  }

  @Test
  void shouldStartFromTheEarliestOffsetsWithoutACheckpoint(@TempDir Path dir) throws IOException {
    assertThat(FlinkJob.latestCheckpoint(dir)).isEmpty();
    assertThat(FlinkJob.latestCheckpoint(dir.resolve("absent"))).isEmpty();
  }
}
