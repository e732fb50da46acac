package dev.hourglass.streams;

import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
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
 */
final class AlertEvaluator {
  private static final Logger LOG = LoggerFactory.getLogger(AlertEvaluator.class);

  /** Unresolved hours kept per key (a week); older ones are dropped with a warning. */
  static final int MAX_UNRESOLVED = 168;

  private final Aggregation<?> aggregation;
  private final List<Rule> rules;
  private final KeyValueStore<String, byte[]> store;
  private final BiConsumer<String, Alert> out;

  AlertEvaluator(
      Aggregation<?> aggregation,
      List<Rule> rules,
      KeyValueStore<String, byte[]> store,
      BiConsumer<String, Alert> out) {
    this.aggregation = aggregation;
    this.rules = rules;
    this.store = store;
    this.out = out;
  }

  void evaluate(WindowState window, boolean isFinal, long now) {
    for (Rule rule : rules) {
      evaluate(rule, window, isFinal, now);
    }
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
    String key = rule.name() + "|" + w.organizationId() + "|" + w.entityKey();
    List<FiredAlert> fired = StateCodec.fired(store.get(key));
    boolean changed = false;
    if (clears) {
      for (Iterator<FiredAlert> it = fired.iterator(); it.hasNext(); ) {
        FiredAlert f = it.next();
        if (f.windowStart() < w.windowStart()) {
          out.accept(key, resolved(rule, w, f, value, now));
          it.remove();
          changed = true;
        }
      }
    }
    if (fires && fired.stream().noneMatch(f -> f.windowStart() == w.windowStart())) {
      out.accept(key, firing(rule, w, value, now));
      fired.add(new FiredAlert(w.windowStart(), value, now));
      changed = true;
      if (fired.size() > MAX_UNRESOLVED) {
        FiredAlert dropped = fired.remove(0);
        LOG.warn(
            "{}: forgetting unresolved alert of hour {} (more than {} unresolved hours)",
            key,
            Instant.ofEpochMilli(dropped.windowStart()),
            MAX_UNRESOLVED);
      }
    }
    if (changed) {
      store.put(key, fired.isEmpty() ? null : StateCodec.fired(new ArrayList<>(fired)));
    }
  }

  private Alert firing(Rule rule, WindowState w, double value, long now) {
    String message =
        String.format(
            Locale.ROOT,
            "%s: %s %s of %s %s in organization %s for the hour from %s is above %s",
            rule.name(),
            rule.metric().configName(),
            format(value),
            aggregation.family().entityType(),
            w.entityKey(),
            w.organizationId(),
            Instant.ofEpochMilli(w.windowStart()),
            format(rule.fireAbove()));
    return alert(rule, w, w.windowStart(), AlertState.FIRING, value, rule.fireAbove(), now, null)
        .setMessage(message)
        .build();
  }

  private Alert resolved(Rule rule, WindowState clearing, FiredAlert f, double value, long now) {
    String message =
        String.format(
            Locale.ROOT,
            "%s: %s %s of %s %s in organization %s for the hour from %s is below %s again"
                + " (fired for the hour from %s at %s)",
            rule.name(),
            rule.metric().configName(),
            format(value),
            aggregation.family().entityType(),
            clearing.entityKey(),
            clearing.organizationId(),
            Instant.ofEpochMilli(clearing.windowStart()),
            format(rule.clearBelow()),
            Instant.ofEpochMilli(f.windowStart()),
            format(f.observed()));
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
