package dev.hourglass.schema;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Which organizations a login may read ({@code tenant_grants}, V18), managed as the owner: connect
 * as a member of {@code hourglass_owner}. Every change is audited in {@code audit_log} with the
 * login that made it.
 */
public final class TenantGrants {
  private final String url;
  private final Properties credentials = new Properties();

  private TenantGrants(String url, String user, String password) {
    this.url = url;
    credentials.setProperty("user", user);
    credentials.setProperty("password", password == null ? "" : password);
  }

  /** Grants as {@code owner}, a LOGIN member of {@code hourglass_owner}. */
  public static TenantGrants connect(String jdbcUrl, String owner, String password) {
    return new TenantGrants(jdbcUrl, owner, password);
  }

  /**
   * Grants {@code login} every organization in {@code organizations}; earlier grants stay.
   *
   * @return the organizations granted by this call, in order
   */
  public List<String> grantEveryOrganization(String login) {
    return strings(
        "INSERT INTO tenant_grants (login, organization_id)"
            + " SELECT ?, id FROM organizations ORDER BY id"
            + " ON CONFLICT DO NOTHING RETURNING organization_id::text",
        login);
  }

  /** The organizations {@code login} may read, in order. */
  public List<String> granted(String login) {
    return strings(
        "SELECT organization_id::text FROM tenant_grants WHERE login = ? ORDER BY organization_id",
        login);
  }

  private List<String> strings(String sql, String login) {
    List<String> values = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url, credentials);
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, login);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          values.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot read or change the grants of " + login + " on " + Migrator.mask(url) + ": " + e,
          e);
    }
    return values;
  }
}
