package dev.hourglass.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes an instance's local state left by an unclean exit (SIGKILL, a crash) under exactly-once,
 * before Kafka Streams opens it.
 *
 * <p>Under exactly-once, Kafka Streams trusts no store that was not closed cleanly: it marks every
 * such task corrupted, wipes it and restores it from its changelog anyway. Kafka Streams 4.3 first
 * opens those stores in a startup pass and can keep a RocksDB lock from it, so that the stream
 * thread then fails to open a segment ("lock hold by current process"), and every replacement
 * thread fails again: the hour-long soak in docs/reliability.md saw a processor that stayed alive
 * and never ready. Removing the state first costs nothing the restore would not have cost, and
 * leaves the startup pass nothing to open. A clean close leaves a marker, so clean restarts keep
 * their stores.
 */
final class UncleanExit {
  private static final Logger LOG = LoggerFactory.getLogger(UncleanExit.class);

  /** Written once Kafka Streams has closed every store; removed when the instance starts. */
  static final String CLEAN_CLOSE_MARKER = ".hourglass-closed-cleanly";

  private UncleanExit() {}

  /**
   * Before Kafka Streams starts: removes {@code appStateDir} if it holds state but no clean-close
   * marker, then removes the marker, so that a crash from now on leaves none.
   *
   * @return whether the state was removed
   */
  static boolean removeStateLeftByCrash(Path appStateDir) {
    Path marker = appStateDir.resolve(CLEAN_CLOSE_MARKER);
    try {
      if (Files.exists(marker)) {
        Files.delete(marker);
        return false;
      }
      if (!holdsState(appStateDir)) {
        return false;
      }
      LOG.warn(
          "{} was not closed cleanly (no {}): removing it before start; under exactly-once its"
              + " stores are restored from their changelogs, as they would have been anyway",
          appStateDir,
          CLEAN_CLOSE_MARKER);
      deleteRecursively(appStateDir);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean the state directory " + appStateDir, e);
    }
  }

  /** After Kafka Streams closed every store: the next start may keep them. */
  static void markClosedCleanly(Path appStateDir) {
    try {
      if (Files.isDirectory(appStateDir)) {
        Files.writeString(appStateDir.resolve(CLEAN_CLOSE_MARKER), "");
      }
    } catch (IOException e) {
      // The next start then removes the state and restores it: slower, never wrong.
      LOG.warn("Cannot mark {} closed cleanly", appStateDir, e);
    }
  }

  private static boolean holdsState(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isPresent();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
