package dev.hourglass.schema;

import dev.hourglass.embedded.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.UUID;

/**
 * A LOGIN user that is a member of one of the schema's group roles, as a deployment creates it;
 * dropped on close. Roles are cluster-wide, hence the random name.
 */
final class LoginRole implements AutoCloseable {
  private final TestDatabase db;
  final String name;
  private final String password = UUID.randomUUID().toString();

  /** A login in {@code groupRoles} (comma-separated). */
  LoginRole(TestDatabase db, String groupRoles) throws SQLException {
    this.db = db;
    this.name = "login_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = db.connect()) {
      Sql.exec(
          c, "CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "' IN ROLE " + groupRoles);
    }
  }

  /**
   * Lets this login read {@code organizations} (a row of tenant_grants each), as the owner does.
   */
  LoginRole grant(String... organizations) throws SQLException {
    try (Connection c = db.connect()) {
      for (String org : organizations) {
        Sql.rows(
            c,
            "INSERT INTO tenant_grants (login, organization_id) VALUES (?, ?::uuid) RETURNING 1",
            name,
            org);
      }
    }
    return this;
  }

  String password() {
    return password;
  }

  Connection connect() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", name);
    props.setProperty("password", password);
    return DriverManager.getConnection(db.jdbcUrl(), props);
  }

  @Override
  public void close() throws SQLException {
    try (Connection c = db.connect()) {
      // A grant outliving its login would pass to the next role created under that name.
      if (Sql.value(c, "SELECT to_regclass('public.tenant_grants') IS NOT NULL").equals(true)) {
        Sql.rows(c, "DELETE FROM tenant_grants WHERE login = ? RETURNING 1", name);
      }
      Sql.exec(c, "DROP ROLE " + name);
    }
  }
}
