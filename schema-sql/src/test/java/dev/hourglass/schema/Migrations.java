package dev.hourglass.schema;

/** Facts about the packaged migrations that tests check against. */
final class Migrations {
  /** Versioned migrations under db/migration. */
  static final int COUNT = 26;

  static final String LATEST_VERSION = "29";

  private Migrations() {}
}
