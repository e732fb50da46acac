package dev.hourglass.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the sinks' logs say about commits PostgreSQL acknowledged and then lost (asynchronous
 * commit, then a crash): the sink logs a line each time a batch finds the stored offsets behind its
 * own and replays. Read from the logs rather than the metrics, since the logs outlive a killed
 * sink's counters.
 */
final class SinkLogs {
  private static final Pattern LOST =
      Pattern.compile(
          "Stored offset behind the batch's expected offset .*: (?:at least )?(\\d+) commits lost by"
              + " PostgreSQL .* replaying (\\d+) offsets from Kafka");

  private SinkLogs() {}

  /**
   * @param reseeks times a sink found lost commits, re-read its offsets and replayed
   * @param commits commits lost, as the sinks counted them
   * @param offsets Kafka offsets replayed
   */
  record Lost(long reseeks, long commits, long offsets) {
    String describe() {
      return String.format(
          "sinks re-seeked %d time(s) after commits lost by PostgreSQL: %,d commits lost,"
              + " %,d offsets replayed from Kafka (from the sinks' logs)",
          reseeks, commits, offsets);
    }
  }

  static Lost lostCommits(List<Path> logs) {
    long reseeks = 0;
    long commits = 0;
    long offsets = 0;
    for (Path log : logs) {
      if (!Files.exists(log)) {
        continue;
      }
      try {
        // Decoded leniently: a killed process may have left half a line behind.
        String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
          Matcher m = LOST.matcher(line);
          if (m.find()) {
            reseeks++;
            commits += Long.parseLong(m.group(1));
            offsets += Long.parseLong(m.group(2));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + log, e);
      }
    }
    return new Lost(reseeks, commits, offsets);
  }
}
