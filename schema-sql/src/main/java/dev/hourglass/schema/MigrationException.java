package dev.hourglass.schema;

import java.util.Optional;

/**
 * The schema could not be migrated or validated: the database did not answer, or a migration
 * failed. The message names the database URL (never the password) and, when one failed, the
 * migration.
 */
public final class MigrationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String url;
  private final String migration;

  MigrationException(String message, String url, String migration, Throwable cause) {
    super(message, cause);
    this.url = url;
    this.migration = migration;
  }

  /** The database URL, with any password in it masked. */
  public String url() {
    return url;
  }

  /** The failing migration, for example {@code V12__seed_functions.sql}, when one failed. */
  public Optional<String> migration() {
    return Optional.ofNullable(migration);
  }
}
