package dev.hourglass.schema;

/** Facts about the packaged migrations that tests check against. */
final class Migrations {
  /** Versioned migrations under db/migration. */
  static final int COUNT = 24;

  static final String LATEST_VERSION = "27";

  private Migrations() {}
}
