package dev.hourglass.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.RepeatedTest;

@HourglassIT
class BackendExtensionIT {
  private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();

  @RepeatedTest(3)
  void shouldGiveEveryTestItsOwnEmptyDatabaseAndTopicPrefix(TestKafka kafka, TestDatabase db)
      throws SQLException {
    assertThat(SEEN.add(db.name())).as("database %s reused", db.name()).isTrue();
    assertThat(SEEN.add(kafka.topic("x"))).as("topic %s reused", kafka.topic("x")).isTrue();
    try (Connection c = db.connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
      rs.next();
      assertThat(rs.getInt(1)).isZero();
      s.execute("CREATE TABLE mine (id int)");
    }
  }
}
