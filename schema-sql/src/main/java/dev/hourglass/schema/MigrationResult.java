package dev.hourglass.schema;

/**
 * What {@link Migrator#migrate()} did.
 *
 * @param applied how many migrations this run applied (0 when the schema was already current)
 * @param currentVersion the schema version after the run, for example {@code "16"}; empty when the
 *     database holds no migration at all
 */
public record MigrationResult(int applied, String currentVersion) {}
