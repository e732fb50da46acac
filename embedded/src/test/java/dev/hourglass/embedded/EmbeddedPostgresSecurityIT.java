package dev.hourglass.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded server trusts no connection and serves TLS that verify-full accepts. */
class EmbeddedPostgresSecurityIT {

  @Test
  void shouldRequireSuperusersPasswordFromOwnerOnlyFile(@TempDir Path dir)
      throws SQLException, IOException {
    try (EmbeddedPostgres pg =
        EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(dir.resolve("pg"), 0))) {
      Path file = pg.superuserPasswordFile();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      assertThat(Files.readString(file)).isEqualTo(pg.superuserPassword() + "\n");
      assertThat(pg.superuserPassword()).hasSize(32);

      assertRefused(pg, "", "08004");
      assertRefused(pg, "wrong", "28P01");
      try (Connection c = connect(pg.jdbcUrl("postgres"), pg.superuserPassword())) {
        assertThat(single(c, "SELECT current_user")).isEqualTo("postgres");
        assertThat(
                single(
                    c,
                    "SELECT string_agg(DISTINCT auth_method, ',') FROM pg_hba_file_rules"
                        + " WHERE error IS NULL"))
            .isEqualTo("scram-sha-256");
      }
    }
  }

  @Test
  void shouldServeTlsThatVerifyFullAcceptsForItsCertificateOnly(@TempDir Path dir)
      throws SQLException, IOException {
    try (EmbeddedPostgres pg =
        EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(dir.resolve("pg"), 0))) {
      for (String host : new String[] {"127.0.0.1", "localhost"}) {
        String url =
            "jdbc:postgresql://"
                + host
                + ":"
                + pg.port()
                + "/postgres?sslmode=verify-full&sslrootcert="
                + pg.rootCertificate();
        try (Connection c = connect(url, pg.superuserPassword())) {
          assertThat(single(c, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
              .as(host)
              .isEqualTo("t");
        }
      }

      // Another server's certificate as the root: the handshake must fail.
      Path stranger = dir.resolve("stranger");
      ServerSecurity.writeCertificate(Files.createDirectories(stranger));
      String wrongRoot =
          pg.jdbcUrl("postgres")
              + "?sslmode=verify-full&sslrootcert="
              + stranger.resolve(ServerSecurity.CERTIFICATE);
      assertThatThrownBy(() -> connect(wrongRoot, pg.superuserPassword()).close())
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08006"));
    }
  }

  @Test
  void shouldRequirePasswordsOnDataDirectoryThatTrustedLoopback(@TempDir Path dir)
      throws SQLException, IOException {
    Path data = dir.resolve("pg");
    String before;
    try (EmbeddedPostgres pg =
        EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(data, 0))) {
      before = pg.superuserPassword();
      try (Connection c = connect(pg.jdbcUrl("postgres"), before)) {
        single(c, "ALTER ROLE postgres PASSWORD NULL");
      }
    }
    // As an earlier version left it: trust on loopback, no password file.
    Files.writeString(data.resolve("pgdata/pg_hba.conf"), "host all all 127.0.0.1/32 trust\n");
    Files.delete(data.resolve(ServerSecurity.PASSWORD_FILE));

    try (EmbeddedPostgres pg =
        EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(data, 0))) {
      assertThat(pg.superuserPassword()).isNotEqualTo(before);
      assertRefused(pg, "", "08004");
      try (Connection c = connect(pg.jdbcUrl("postgres"), pg.superuserPassword())) {
        assertThat(single(c, "SELECT 1")).isEqualTo("1");
      }
    }
  }

  private static void assertRefused(EmbeddedPostgres pg, String password, String sqlState) {
    assertThatThrownBy(() -> connect(pg.jdbcUrl("postgres"), password).close())
        .as("password '%s'", password)
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(sqlState));
  }

  private static Connection connect(String url, String password) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", EmbeddedPostgres.SUPERUSER);
    if (!password.isEmpty()) {
      props.setProperty("password", password);
    }
    return DriverManager.getConnection(url, props);
  }

  private static String single(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      if (!s.execute(sql)) {
        return null;
      }
      try (ResultSet rs = s.getResultSet()) {
        assertThat(rs.next()).as("a row from %s", sql).isTrue();
        return rs.getString(1);
      }
    }
  }
}
