package dev.hourglass.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What PostgreSQL was doing besides the pipeline's statements, read with every pipeline sample:
 * checkpoints started, WAL written (and how much of it full-page images, which follow each
 * checkpoint) and autovacuum workers running. The freshness runs showed the sink falling seconds
 * behind in episodes; these counters, beside its lag in the same samples, tell whether a checkpoint
 * or a vacuum came with them. Cumulative counters: compare two samples.
 *
 * @param checkpointsStarted checkpoints started since the server's statistics were reset (timed and
 *     requested)
 * @param walBytes WAL bytes written
 * @param walFullPageImages full-page images written to WAL
 * @param vacuumsRunning vacuums (autovacuum workers included) running at the moment of the sample
 */
record DatabaseActivity(
    long checkpointsStarted, long walBytes, long walFullPageImages, long vacuumsRunning) {

  // pg_stat_checkpointer is PostgreSQL 17's; older servers answer with an error, and then no
  // activity is sampled (the benchmark's embedded server is 18).
  private static final String SQL =
      "SELECT (SELECT num_timed + num_requested FROM pg_stat_checkpointer),"
          + " (SELECT wal_bytes FROM pg_stat_wal), (SELECT wal_fpi FROM pg_stat_wal),"
          + " (SELECT count(*) FROM pg_stat_progress_vacuum)";

  /** Prepares the reading on a connection the caller keeps open. */
  static PreparedStatement prepare(Connection connection) throws SQLException {
    return connection.prepareStatement(SQL);
  }

  /**
   * One line for a fixed-rate run: when checkpoints started, the WAL written, how often a vacuum
   * was running, and when the sink was more than {@code behindSeconds} of input behind, so that the
   * reader can lay one beside the other. Null when no sample read the server's activity.
   */
  static String describe(List<PipelineSampler.Sample> samples, double rate, double behindSeconds) {
    List<PipelineSampler.Sample> read = samples.stream().filter(s -> s.database() != null).toList();
    if (read.size() < 2) {
      return null;
    }
    DatabaseActivity first = read.get(0).database();
    DatabaseActivity last = read.get(read.size() - 1).database();
    double seconds = read.get(read.size() - 1).seconds() - read.get(0).seconds();
    List<String> starts = new ArrayList<>();
    long vacuuming = 0;
    for (int i = 1; i < read.size(); i++) {
      if (read.get(i).database().checkpointsStarted()
          > read.get(i - 1).database().checkpointsStarted()) {
        starts.add(String.format(Locale.ROOT, "%.0f", read.get(i).seconds()));
      }
      if (read.get(i).database().vacuumsRunning() > 0) {
        vacuuming++;
      }
    }
    return String.format(
        Locale.ROOT,
        "PostgreSQL meanwhile: %d checkpoints started%s; %.0f MB of WAL (%.1f MB/s, %d full-page"
            + " images); a vacuum running in %d of %d samples. The sink more than %.0f s of input"
            + " behind at: %s",
        last.checkpointsStarted() - first.checkpointsStarted(),
        starts.isEmpty() ? "" : " (at " + String.join(", ", starts) + " s)",
        (last.walBytes() - first.walBytes()) / 1e6,
        seconds > 0 ? (last.walBytes() - first.walBytes()) / 1e6 / seconds : 0,
        last.walFullPageImages() - first.walFullPageImages(),
        vacuuming,
        read.size() - 1,
        behindSeconds,
        episodes(samples, rate * behindSeconds));
  }

  /** The seconds at which the sink's lag exceeded {@code records}, as ranges ("23-25, 162 s"). */
  private static String episodes(List<PipelineSampler.Sample> samples, double records) {
    List<String> ranges = new ArrayList<>();
    long from = -1;
    long to = -1;
    for (PipelineSampler.Sample s : samples) {
      long second = Math.round(s.seconds());
      if (s.sinkLag() > records) {
        if (from < 0) {
          from = second;
        } else if (second > to + 1) {
          ranges.add(range(from, to));
          from = second;
        }
        to = second;
      }
    }
    if (from >= 0) {
      ranges.add(range(from, to));
    }
    return ranges.isEmpty() ? "never" : String.join(", ", ranges) + " s";
  }

  private static String range(long from, long to) {
    return from == to ? Long.toString(from) : from + "-" + to;
  }

  /** One reading; statistics are a snapshot per transaction, so autocommit gives fresh ones. */
  static DatabaseActivity read(PreparedStatement statement) throws SQLException {
    try (ResultSet rs = statement.executeQuery()) {
      rs.next();
      return new DatabaseActivity(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
    }
  }
}
