package dev.hourglass.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Has the schema's {@code create_monthly_partition} create the month partitions a batch needs
 * before the batch is written. The table names are constants of this module and the month is a
 * {@link LocalDate} bound as a parameter; the function builds the partition name itself, so no
 * identifier ever comes from event data. Each call commits on its own, so a batch that rolls back
 * never takes a partition with it that the cache believes exists.
 */
final class Partitions {
  private static final String CREATE = "SELECT create_monthly_partition(?, ?)";

  private final Set<String> known = new HashSet<>();

  synchronized void ensure(DataSource dataSource, Map<String, Set<LocalDate>> needed)
      throws SQLException {
    Connection c = null;
    try {
      for (Map.Entry<String, Set<LocalDate>> e : needed.entrySet()) {
        for (LocalDate month : e.getValue()) {
          String name = e.getKey() + "/" + month;
          if (known.contains(name)) {
            continue;
          }
          if (c == null) {
            c = dataSource.getConnection();
          }
          try (PreparedStatement ps = c.prepareStatement(CREATE)) {
            ps.setString(1, e.getKey());
            ps.setObject(2, month);
            ps.execute();
          }
          c.commit();
          known.add(name);
        }
      }
    } finally {
      if (c != null) {
        c.close();
      }
    }
  }

  /** The month (its first day, UTC) that holds {@code epochMillis}: the partition it goes to. */
  static LocalDate month(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis)
        .atOffset(ZoneOffset.UTC)
        .toLocalDate()
        .withDayOfMonth(1);
  }

  /** Forgets what exists: after a failure a partition may have been dropped meanwhile. */
  synchronized void forget() {
    known.clear();
  }
}
