package dev.hourglass.streams;

import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates one family's rules on every emitted rollup. The alert store holds, per {@code
 * <rule>|<organization>|<entity>}, the hours that fired and are not resolved yet: that is enough
 * for "at most one FIRING per (rule, key, hour)" (an hour stops being evaluated once final, and
 * leaves the list only when resolved, by a later hour that is already closed) and for RESOLVED.
 *
 * <p>A correction of a closed hour is evaluated on the hour's corrected totals ({@link
 * #evaluateCorrection}): above the firing threshold it fires, if that rule never fired for that
 * hour (the closed hour remembers, {@link ClosedHour}); under the clear threshold it resolves the
 * key's unresolved hours up to and including itself, since it is the hour's own figures that say
 * the alert no longer holds. Both alerts carry {@code correction_late_ms}.
 *
 * <p>The rules are read from a {@link LiveRules} at each evaluation, so a reloaded rules file takes
 * effect on the next rollup.
 */
final class AlertEvaluator {
  private static final Logger LOG = LoggerFactory.getLogger(AlertEvaluator.class);

  /** Unresolved hours kept per key (a week); older ones are dropped with a warning. */
  static final int MAX_UNRESOLVED = 168;

  private final Aggregation<?> aggregation;
  private final LiveRules live;
  private final KeyValueStore<String, byte[]> store;
  private final BiConsumer<String, Alert> out;

  /** The rules last read from {@link #live}, and this family's among them. */
  private Rules seen;

  private List<Rule> rules = List.of();

  AlertEvaluator(
      Aggregation<?> aggregation,
      LiveRules live,
      KeyValueStore<String, byte[]> store,
      BiConsumer<String, Alert> out) {
    this.aggregation = aggregation;
    this.live = live;
    this.store = store;
    this.out = out;
  }

  private List<Rule> rules() {
    Rules current = live.current();
    if (current != seen) {
      seen = current;
      rules = current.of(aggregation);
    }
    return rules;
  }

  void evaluate(WindowState window, boolean isFinal, long now) {
    for (Rule rule : rules()) {
      evaluate(rule, window, isFinal, now);
    }
  }

  /** The rules that fired for {@code w}'s hour and are not resolved: what a closing hour keeps. */
  Set<String> firedRules(WindowState w) {
    Set<String> names = new TreeSet<>();
    for (Rule rule : rules()) {
      for (FiredAlert f : StateCodec.fired(store.get(key(rule, w)))) {
        if (f.windowStart() == w.windowStart()) {
          names.add(rule.name());
        }
      }
    }
    return names;
  }

  /**
   * Evaluates the rules on a closed hour whose totals a correction changed.
   *
   * @param corrected the hour's totals, the late event included
   * @param fired the rules that fired for this hour so far; a rule that fires now is added
   * @param lateMs how far the hour's end lay behind stream time when the late event came
   */
  void evaluateCorrection(WindowState corrected, Set<String> fired, long lateMs, long now) {
    for (Rule rule : rules()) {
      Measures m = corrected.measures();
      double value = aggregation.metric(rule.metric(), m);
      if (aggregation.sample(rule.metric(), m) < rule.minEvents() || Double.isNaN(value)) {
        continue;
      }
      boolean fires = value > rule.fireAbove() && !fired.contains(rule.name());
      boolean clears = value < rule.clearBelow();
      if (!fires && !clears) {
        continue;
      }
      String key = key(rule, corrected);
      List<FiredAlert> unresolved = StateCodec.fired(store.get(key));
      boolean changed = false;
      if (clears) {
        for (Iterator<FiredAlert> it = unresolved.iterator(); it.hasNext(); ) {
          FiredAlert f = it.next();
          if (f.windowStart() <= corrected.windowStart()) {
            out.accept(key, resolved(rule, corrected, f, value, now, lateMs));
            it.remove();
            changed = true;
          }
        }
      }
      if (fires) {
        out.accept(key, firing(rule, corrected, value, now, lateMs));
        unresolved.add(new FiredAlert(corrected.windowStart(), value, now));
        fired.add(rule.name());
        changed = true;
        forgetOldest(key, unresolved);
      }
      if (changed) {
        store.put(key, unresolved.isEmpty() ? null : StateCodec.fired(unresolved));
      }
    }
  }

  private static String key(Rule rule, WindowState w) {
    return rule.name() + "|" + w.organizationId() + "|" + w.entityKey();
  }

  private void evaluate(Rule rule, WindowState w, boolean isFinal, long now) {
    Measures m = w.measures();
    double value = aggregation.metric(rule.metric(), m);
    boolean enough =
        aggregation.sample(rule.metric(), m) >= rule.minEvents() && !Double.isNaN(value);
    if (!enough) {
      return;
    }
    boolean fires = value > rule.fireAbove();
    boolean clears = isFinal && value < rule.clearBelow();
    if (!fires && !clears) {
      return;
    }
    String key = key(rule, w);
    List<FiredAlert> fired = StateCodec.fired(store.get(key));
    boolean changed = false;
    if (clears) {
      for (Iterator<FiredAlert> it = fired.iterator(); it.hasNext(); ) {
        FiredAlert f = it.next();
        if (f.windowStart() < w.windowStart()) {
          out.accept(key, resolved(rule, w, f, value, now, null));
          it.remove();
          changed = true;
        }
      }
    }
    if (fires && fired.stream().noneMatch(f -> f.windowStart() == w.windowStart())) {
      out.accept(key, firing(rule, w, value, now, null));
      fired.add(new FiredAlert(w.windowStart(), value, now));
      changed = true;
      forgetOldest(key, fired);
    }
    if (changed) {
      store.put(key, fired.isEmpty() ? null : StateCodec.fired(new ArrayList<>(fired)));
    }
  }

  private static void forgetOldest(String key, List<FiredAlert> fired) {
    if (fired.size() > MAX_UNRESOLVED) {
      FiredAlert dropped = fired.remove(0);
      LOG.warn(
          "{}: forgetting unresolved alert of hour {} (more than {} unresolved hours)",
          key,
          Instant.ofEpochMilli(dropped.windowStart()),
          MAX_UNRESOLVED);
    }
  }

  private static String corrected(Long lateMs) {
    return lateMs == null
        ? ""
        : String.format(
            Locale.ROOT, ", corrected by a late event (%d ms after the hour's end)", lateMs);
  }

  private Alert firing(Rule rule, WindowState w, double value, long now, Long lateMs) {
    String message =
        String.format(
            Locale.ROOT,
            "%s: %s %s of %s %s in organization %s for the hour from %s is above %s%s",
            rule.name(),
            rule.metric().configName(),
            format(value),
            aggregation.family().entityType(),
            w.entityKey(),
            w.organizationId(),
            Instant.ofEpochMilli(w.windowStart()),
            format(rule.fireAbove()),
            corrected(lateMs));
    return alert(rule, w, w.windowStart(), AlertState.FIRING, value, rule.fireAbove(), now, null)
        .setMessage(message)
        .setCorrectionLateMs(lateMs)
        .build();
  }

  private Alert resolved(
      Rule rule, WindowState clearing, FiredAlert f, double value, long now, Long lateMs) {
    String message =
        String.format(
            Locale.ROOT,
            "%s: %s %s of %s %s in organization %s for the hour from %s is below %s again"
                + " (fired for the hour from %s at %s)%s",
            rule.name(),
            rule.metric().configName(),
            format(value),
            aggregation.family().entityType(),
            clearing.entityKey(),
            clearing.organizationId(),
            Instant.ofEpochMilli(clearing.windowStart()),
            format(rule.clearBelow()),
            Instant.ofEpochMilli(f.windowStart()),
            format(f.observed()),
            corrected(lateMs));
    return alert(
            rule,
            clearing,
            f.windowStart(),
            AlertState.RESOLVED,
            value,
            rule.clearBelow(),
            f.firedAt(),
            now)
        .setMessage(message)
        .setCorrectionLateMs(lateMs)
        .build();
  }

  private Alert.Builder alert(
      Rule rule,
      WindowState w,
      long windowStart,
      AlertState state,
      double observed,
      double threshold,
      long firedAt,
      Long resolvedAt) {
    return Alert.newBuilder()
        .setAlertId(alertId(rule.name(), w.organizationId(), w.entityKey(), windowStart, state))
        .setRule(rule.name())
        .setSeverity(rule.severity())
        .setState(state)
        .setOrganizationId(w.organizationId())
        .setEntityType(aggregation.family().entityType())
        .setEntityKey(w.entityKey())
        .setWindowStart(Instant.ofEpochMilli(windowStart))
        .setWindowEnd(Instant.ofEpochMilli(windowStart + WindowState.HOUR_MS))
        .setObservedValue(observed)
        .setThreshold(threshold)
        .setFiredAt(Instant.ofEpochMilli(firedAt))
        .setResolvedAt(resolvedAt == null ? null : Instant.ofEpochMilli(resolvedAt));
  }

  /** Deterministic, so that a replay after a crash names the same alert. */
  static String alertId(
      String rule, String organizationId, String entityKey, long windowStart, AlertState state) {
    String name = rule + "|" + organizationId + "|" + entityKey + "|" + windowStart + "|" + state;
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.4g", v);
  }
}
