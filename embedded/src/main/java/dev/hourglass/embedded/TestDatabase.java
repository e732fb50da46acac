package dev.hourglass.embedded;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * A PostgreSQL database of one test's own, created empty before the test and dropped after it.
 *
 * @param name the database name
 * @param jdbcUrl its JDBC URL (no credentials)
 * @param user a user that owns it
 * @param password that user's password (may be empty)
 */
public record TestDatabase(String name, String jdbcUrl, String user, String password) {

  /** A new connection as {@link #user()}; the caller closes it. */
  public Connection connect() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    return DriverManager.getConnection(jdbcUrl, props);
  }

  @Override
  public String toString() {
    return "TestDatabase[" + jdbcUrl + " as " + user + ", password=<masked>]";
  }
}
