package dev.hourglass.cli;

import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.schema.MigrationResult;
import dev.hourglass.schema.Migrator;
import dev.hourglass.schema.SchemaBootstrap;
import dev.hourglass.schema.TenantGrants;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Hourglass database of local mode and {@code hourglass servers}, set up as
 * schema-sql/README.md tells an operator: the superuser only creates the roles and logins ({@code
 * SchemaBootstrap}), and the migrations run as {@value SchemaBootstrap#MIGRATOR}, a LOGIN member of
 * {@code hourglass_owner}, whose password is generated into an owner-only file under {@code
 * secrets}.
 *
 * @param url the database's JDBC URL
 * @param migratorPassword the file holding the migrator's password (mode 0600)
 * @param migrated what the migration applied
 */
record LocalDatabase(String url, Path migratorPassword, MigrationResult migrated) {
  /** Local mode's analyst: reads the organizations the load generated, through tenant_grants. */
  static final String ANALYST_LOGIN = "hourglass_analyst_local";

  /** Creates the database when missing and migrates it as the migrator. */
  static LocalDatabase migrate(EmbeddedPostgres pg, Path secrets) {
    pg.createDatabase(LocalCommand.DATABASE);
    String url = pg.jdbcUrl(LocalCommand.DATABASE);
    SchemaBootstrap.prepare(url, EmbeddedPostgres.SUPERUSER, pg.superuserPassword());
    Path password = secrets.resolve(SchemaBootstrap.MIGRATOR + ".password");
    pg.createLogin(SchemaBootstrap.MIGRATOR, password, List.of(SchemaBootstrap.OWNER));
    MigrationResult migrated =
        Migrator.forUrl(url, SchemaBootstrap.MIGRATOR, read(password)).migrate();
    SchemaBootstrap.finish(url, EmbeddedPostgres.SUPERUSER, pg.superuserPassword());
    return new LocalDatabase(url, password, migrated);
  }

  /** The migrator's password (for this JVM's own connections; never printed). */
  String password() {
    return read(migratorPassword);
  }

  /** Grants, as the owner (the migrator); audited. */
  TenantGrants grants() {
    return TenantGrants.connect(url, SchemaBootstrap.MIGRATOR, password());
  }

  private static String read(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8).get(0).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
