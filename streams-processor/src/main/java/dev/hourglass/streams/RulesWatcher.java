package dev.hourglass.streams;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a changed rules file in force while the processor runs: every check interval it reads the
 * file, and when its bytes changed it parses them; good rules replace those in {@link LiveRules}
 * (they apply from the next evaluation), a bad file is refused with every problem logged at ERROR
 * and the rules in force stay. The bytes are compared, not the modification time, so an editor that
 * saves twice or a config-map symlink swap is read once and a refused file is reported once.
 */
final class RulesWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RulesWatcher.class);

  /** What one check found. */
  enum Outcome {
    UNCHANGED,
    RELOADED,
    REFUSED
  }

  private final Path file;
  private final LiveRules live;
  private byte[] lastSeen;
  private ScheduledExecutorService timer;

  /** Watches {@code file}, whose current contents are the rules {@code live} holds now. */
  RulesWatcher(Path file, LiveRules live) {
    this.file = file;
    this.live = live;
    this.lastSeen = read();
  }

  /** Checks the file every {@code interval} on a daemon thread until closed. */
  RulesWatcher start(Duration interval) {
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "hourglass-rules-watcher");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        this::checkLogged, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  private void checkLogged() {
    try {
      check();
    } catch (RuntimeException e) {
      // The timer must survive anything, or later changes would go unseen.
      LOG.error("Checking the rules file {} failed", file, e);
    }
  }

  /** Reads the file once: reloads it if its bytes changed and it parses. */
  Outcome check() {
    byte[] bytes = read();
    if (bytes == null || Arrays.equals(bytes, lastSeen)) {
      return Outcome.UNCHANGED;
    }
    lastSeen = bytes;
    Rules next;
    try {
      next = Rules.parse(new String(bytes, StandardCharsets.UTF_8), file.toString());
    } catch (IllegalArgumentException e) {
      LOG.error(
          "Refused the changed rules file, the rules in force stay {}: {}",
          names(live.current()),
          e.getMessage());
      return Outcome.REFUSED;
    }
    live.replace(next);
    LOG.info("Alert rules reloaded from {}: {}", file, names(next));
    return Outcome.RELOADED;
  }

  private byte[] read() {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      // Being replaced (a rename over it) or gone: the rules in force stay; the next check sees.
      LOG.warn("Cannot read the rules file {}: {}", file, e.toString());
      return null;
    }
  }

  private static List<String> names(Rules rules) {
    return rules.rules().stream().map(Rule::name).toList();
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
