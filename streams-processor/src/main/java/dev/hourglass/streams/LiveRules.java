package dev.hourglass.streams;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The alert rules in force, which a running processor may replace (a changed rules file, read by
 * {@link RulesWatcher}). The topology stays a pure function of what it is given: it is given this
 * holder, and every evaluation reads the rules in force at that moment.
 */
public final class LiveRules {
  private final AtomicReference<Rules> current;

  public LiveRules(Rules initial) {
    current = new AtomicReference<>(Objects.requireNonNull(initial, "initial"));
  }

  /** The rules in force now. */
  public Rules current() {
    return current.get();
  }

  /** Puts {@code next} in force for every evaluation from now on. */
  public void replace(Rules next) {
    current.set(Objects.requireNonNull(next, "next"));
  }
}
