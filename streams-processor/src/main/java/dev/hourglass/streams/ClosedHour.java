package dev.hourglass.streams;

import java.util.Set;

/**
 * A closed hour of one key, as the closed-hours store keeps it for {@code
 * streams.alerts.correction.horizon.ms}: its totals (final rollup plus corrections so far), so that
 * a correction re-evaluates the rules on the whole hour, and the rules that have fired for it, so
 * that a correction never fires a rule twice for one hour, even after it resolved.
 *
 * @param window the hour's totals
 * @param firedRules names of the rules that fired for this hour (resolved or not)
 */
record ClosedHour(WindowState window, Set<String> firedRules) {

  /** The store key: one entry per key and hour, the hour being the window store's timestamp. */
  static String key(String organizationId, String entityKey) {
    return organizationId + "|" + entityKey;
  }
}
