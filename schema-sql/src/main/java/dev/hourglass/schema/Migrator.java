package dev.hourglass.schema;

import java.sql.SQLException;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.internal.exception.FlywayMigrateException;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;

/**
 * Applies the Hourglass schema ({@code classpath:db/migration}, Flyway) to a PostgreSQL database.
 *
 * <p>Reads the migrations packaged in this module; writes the schema and Flyway's {@code
 * flyway_schema_history} table. Run by {@code hourglass migrate} and by local mode before the
 * pipeline starts; running it again on a current schema applies nothing. The connecting user needs
 * to own the schema (or be a superuser) and to be a member of {@code hourglass_owner}, which the
 * migrations create when they may.
 *
 * <pre>{@code
 * MigrationResult r = Migrator.forUrl(url, user, password).migrate();
 * }</pre>
 */
public final class Migrator {
  private static final Pattern PASSWORD_IN_URL =
      Pattern.compile("(?i)(password=)[^&;]*", Pattern.CASE_INSENSITIVE);

  private final Flyway flyway;
  private final String url;

  private Migrator(FluentConfiguration config, String url) {
    // Flyway's transactional advisory lock keeps a transaction open on a second connection, and
    // CREATE INDEX CONCURRENTLY waits for every open transaction: it would wait forever.
    config
        .getConfigurationExtension(PostgreSQLConfigurationExtension.class)
        .setTransactionalLock(false);
    this.flyway =
        config
            .locations("classpath:db/migration")
            // Fail on a misnamed file instead of silently skipping it.
            .validateMigrationNaming(true)
            // The schema holds the pipeline's data; nothing may wipe it.
            .cleanDisabled(true)
            .failOnMissingLocations(true)
            .load();
    this.url = url;
  }

  /** A migrator for the database at {@code jdbcUrl}, connecting as {@code user}. */
  public static Migrator forUrl(String jdbcUrl, String user, String password) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(user, "user");
    return new Migrator(
        Flyway.configure().dataSource(jdbcUrl, user, password == null ? "" : password),
        mask(jdbcUrl));
  }

  /**
   * A migrator for {@code dataSource}; {@code description} (a URL without password) names the
   * database in errors.
   */
  public static Migrator forDataSource(DataSource dataSource, String description) {
    Objects.requireNonNull(dataSource, "dataSource");
    return new Migrator(Flyway.configure().dataSource(dataSource), mask(description));
  }

  /** Applies every pending migration, in version order. */
  public MigrationResult migrate() {
    try {
      MigrateResult result = flyway.migrate();
      String version = result.targetSchemaVersion;
      if (version == null) {
        version = currentVersion();
      }
      return new MigrationResult(result.migrationsExecuted, version == null ? "" : version);
    } catch (FlywayException e) {
      throw translate("migrate", e);
    }
  }

  /**
   * Checks that the applied migrations match the packaged ones (same versions, same checksums) and
   * that none is pending.
   */
  public void validate() {
    try {
      var result = flyway.validateWithResult();
      if (!result.validationSuccessful) {
        StringBuilder why = new StringBuilder();
        result.invalidMigrations.forEach(
            m ->
                why.append(System.lineSeparator())
                    .append("  ")
                    .append(m.filepath == null ? m.version : m.filepath)
                    .append(": ")
                    .append(m.errorDetails == null ? "invalid" : m.errorDetails.errorMessage));
        throw new MigrationException(
            "Schema of " + url + " does not match the packaged migrations:" + why, url, null, null);
      }
    } catch (FlywayException e) {
      throw translate("validate", e);
    }
  }

  /** The schema version applied to the database, or null when none. */
  String currentVersion() {
    MigrationInfo current = flyway.info().current();
    return current == null || current.getVersion() == null
        ? null
        : current.getVersion().getVersion();
  }

  private MigrationException translate(String action, FlywayException e) {
    if (e instanceof FlywayMigrateException failed && failed.getMigration() != null) {
      MigrationInfo m = failed.getMigration();
      String name = m.getScript();
      return new MigrationException(
          "Cannot "
              + action
              + " "
              + url
              + ": migration "
              + name
              + " failed"
              + (failed.getSqlState() == null ? "" : " (SQLSTATE " + failed.getSqlState() + ")")
              + ": "
              + firstLine(rootMessage(e)),
          url,
          name,
          e);
    }
    String sqlState = sqlState(e);
    if (sqlState != null && sqlState.startsWith("08")) {
      return new MigrationException(
          "Cannot " + action + " " + url + ": database unreachable: " + firstLine(rootMessage(e)),
          url,
          null,
          e);
    }
    if (sqlState != null && sqlState.startsWith("28")) {
      return new MigrationException(
          "Cannot " + action + " " + url + ": login refused: " + firstLine(rootMessage(e)),
          url,
          null,
          e);
    }
    return new MigrationException(
        "Cannot " + action + " " + url + ": " + firstLine(e.getMessage()), url, null, e);
  }

  /** The SQLSTATE of the first SQLException in the cause chain, or null. */
  private static String sqlState(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        return sql.getSQLState();
      }
    }
    return null;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    String trimmed = s.strip();
    int nl = trimmed.indexOf('\n');
    return nl < 0 ? trimmed : trimmed.substring(0, nl).strip();
  }

  static String mask(String url) {
    return url == null
        ? "<unnamed database>"
        : PASSWORD_IN_URL.matcher(url).replaceAll("$1<masked>");
  }
}
