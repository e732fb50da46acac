package dev.hourglass.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A PgBouncer (Debian's {@code pgbouncer} package) in transaction pooling mode in front of one
 * PostgreSQL database, on a free loopback port, its configuration in a temporary directory deleted
 * at close. Clients log in with SCRAM-SHA-256 against the login's SCRAM secret (read from {@code
 * pg_authid}, never the password), and PgBouncer logs in to PostgreSQL with the keys the client's
 * own SCRAM exchange gave it: the password is written nowhere.
 */
final class PgBouncer implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
  private static final Pattern URL =
      Pattern.compile("jdbc:postgresql://([^:/?]+)(?::(\\d+))?/([^?]+)(?:\\?.*)?");

  private final Process process;
  private final Path dir;
  private final int port;
  private final String database;

  private PgBouncer(Process process, Path dir, int port, String database) {
    this.process = process;
    this.dir = dir;
    this.port = port;
    this.database = database;
  }

  /**
   * Starts PgBouncer in front of the database of {@code jdbcUrl} for {@code login}, with at most
   * {@code poolSize} server connections shared by up to {@code maxClients} client connections.
   */
  static PgBouncer start(
      String jdbcUrl, String login, String scramSecret, int poolSize, int maxClients)
      throws IOException {
    Matcher m = URL.matcher(jdbcUrl);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "Invalid value " + jdbcUrl + " for configuration jdbcUrl: not jdbc:postgresql://host/db");
    }
    if (!scramSecret.startsWith("SCRAM-SHA-256$")) {
      throw new IllegalArgumentException(
          "the password of " + login + " is not stored as SCRAM-SHA-256 in PostgreSQL");
    }
    String database = m.group(3);
    Path dir = Files.createTempDirectory("hourglass-pgbouncer");
    int port = freePort();
    Path users = dir.resolve("userlist.txt");
    Files.createFile(
        users, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(users, quoted(login) + " " + quoted(scramSecret) + "\n");
    Path ini = dir.resolve("pgbouncer.ini");
    Files.writeString(
        ini,
        String.join(
            "\n",
            "[databases]",
            database
                + " = host="
                + m.group(1)
                + " port="
                + (m.group(2) == null ? "5432" : m.group(2))
                + " dbname="
                + database,
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            "listen_port = " + port,
            // No Unix socket: two PgBouncers on one machine would fight over /tmp/.s.PGSQL.<port>.
            "unix_socket_dir =",
            "auth_type = scram-sha-256",
            "auth_file = " + users,
            // A server connection returns to the pool at each COMMIT: why the tenant is set per
            // transaction (SET LOCAL), never per session.
            "pool_mode = transaction",
            "default_pool_size = " + poolSize,
            "max_db_connections = " + poolSize,
            "max_client_conn = " + maxClients,
            // pgjdbc sends it at start-up; PgBouncer refuses unknown start-up parameters.
            "ignore_startup_parameters = extra_float_digits",
            ""));
    List<String> command = new ArrayList<>(List.of(executable()));
    // PgBouncer refuses to run as root: it drops to nobody after reading its files.
    if ("root".equals(System.getProperty("user.name"))) {
      command.addAll(List.of("-u", "nobody"));
    }
    command.add(ini.toString());
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("pgbouncer.log").toFile()))
            .start();
    PgBouncer bouncer = new PgBouncer(process, dir, port, database);
    try {
      bouncer.awaitListening();
    } catch (IOException | RuntimeException e) {
      bouncer.close();
      throw e;
    }
    return bouncer;
  }

  /** Where clients connect: named server-side statements off, as transaction pooling needs. */
  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?prepareThreshold=0";
  }

  int port() {
    return port;
  }

  private void awaitListening() throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IOException(
            "pgbouncer exited with " + process.exitValue() + ": " + log().strip());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "pgbouncer did not listen on 127.0.0.1:" + port + " within " + START_TIMEOUT, notYet);
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while starting pgbouncer", e);
      }
    }
  }

  /** What PgBouncer printed so far. */
  String log() {
    try {
      return Files.readString(dir.resolve("pgbouncer.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** On PATH, or in the sbin directories Debian installs it in (not on a user's PATH). */
  private static String executable() throws IOException {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(File.pathSeparator)));
    }
    dirs.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/sbin"));
    for (String d : dirs) {
      Path p = Path.of(d, "pgbouncer");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new IOException(
        "pgbouncer is not installed: install Debian's package with `apt-get install -y"
            + " pgbouncer` (.ci/run installs it when missing)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "PgBouncer[127.0.0.1:%d/%s]", port, database);
  }
}
