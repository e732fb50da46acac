package dev.hourglass.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which process a data directory's PostgreSQL server belongs to. The server runs detached from the
 * JVM that started it (pg_ctl), so a JVM killed with SIGKILL leaves it running; without this check
 * the next start on the same directory and port would find a server answering and carry on with it,
 * unannounced. The starting JVM writes its process id beside the cluster ({@value #FILE}); at the
 * next start a server still running there is stopped (fast shutdown) when that process has ended,
 * and refused when it is alive.
 */
final class PostmasterOwner {
  private static final Logger LOG = LoggerFactory.getLogger(PostmasterOwner.class);
  static final String FILE = "postmaster.owner";
  private static final Duration STOP_WAIT = Duration.ofSeconds(60);

  private PostmasterOwner() {}

  /**
   * Makes sure no server runs on {@code cluster}: stops one whose owner has ended.
   *
   * @throws EmbeddedServerException when a live process owns the running server, or it does not
   *     stop
   */
  static void clear(Path dataDir, Path cluster) {
    Optional<ProcessHandle> postmaster = runningPostmaster(cluster);
    if (postmaster.isEmpty()) {
      return;
    }
    long pid = postmaster.get().pid();
    Optional<Long> owner = owner(dataDir);
    Optional<ProcessHandle> liveOwner =
        owner.flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
    if (liveOwner.isPresent()) {
      throw new EmbeddedServerException(
          "PostgreSQL (pid "
              + pid
              + ") is already running on data directory "
              + cluster
              + " for process "
              + liveOwner.get().pid()
              + (liveOwner.get().pid() == ProcessHandle.current().pid() ? " (this one)" : "")
              + "; stop that process, or use another data directory");
    }
    LOG.warn(
        "PostgreSQL (pid {}) is still running on {}, left by process {} which has ended (killed?);"
            + " stopping it (fast shutdown) before starting again",
        pid,
        cluster,
        owner.map(String::valueOf).orElse("(unknown)"));
    stop(postmaster.get(), cluster);
  }

  /** Records this JVM as the owner of the server just started on {@code dataDir}. */
  static void claim(Path dataDir) {
    try {
      Files.writeString(
          dataDir.resolve(FILE), ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new EmbeddedServerException("cannot write " + dataDir.resolve(FILE), e);
    }
  }

  /** The server on {@code dataDir} stopped: nobody owns it. */
  static void release(Path dataDir) {
    try {
      Files.deleteIfExists(dataDir.resolve(FILE));
    } catch (IOException e) {
      LOG.warn("cannot remove {}: {}", dataDir.resolve(FILE), e.toString());
    }
  }

  /** The postmaster named by {@code postmaster.pid}, if that process still runs PostgreSQL. */
  static Optional<ProcessHandle> runningPostmaster(Path cluster) {
    Path pidFile = cluster.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    try {
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
      long pid = Long.parseLong(lines.get(0).trim());
      // A pid file left by a crash may name a process id reused by something else since.
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(true));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<Long> owner(Path dataDir) {
    try {
      return Optional.of(
          Long.parseLong(
              Files.readString(dataDir.resolve(FILE), StandardCharsets.US_ASCII).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static void stop(ProcessHandle postmaster, Path cluster) {
    try {
      // SIGINT is PostgreSQL's fast shutdown: clients are disconnected, data is checkpointed.
      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid())).start();
      kill.waitFor();
      postmaster.onExit().get(STOP_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    } catch (IOException | java.util.concurrent.ExecutionException e) {
      throw new EmbeddedServerException(
          "cannot stop the PostgreSQL (pid " + postmaster.pid() + ") left running on " + cluster,
          e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new EmbeddedServerException(
          "PostgreSQL (pid "
              + postmaster.pid()
              + ") left running on "
              + cluster
              + " did not stop within "
              + STOP_WAIT.toSeconds()
              + " s; stop it (kill -INT "
              + postmaster.pid()
              + ") and start again",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedServerException("interrupted while stopping PostgreSQL", e);
    }
  }
}
