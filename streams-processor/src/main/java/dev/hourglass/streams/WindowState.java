package dev.hourglass.streams;

/**
 * One open hourly window of one key, as the window store holds it.
 *
 * @param organizationId the tenant
 * @param entityKey project_id, agent_id or integration_type
 * @param label a descriptive attribute carried into the rollup (agent_type), or empty
 * @param windowStart epoch milliseconds, a multiple of one hour
 * @param revision the revision last emitted (0 before the first emission)
 * @param dirty whether events arrived since the last emission
 * @param measures the totals so far
 */
record WindowState(
    String organizationId,
    String entityKey,
    String label,
    long windowStart,
    long revision,
    boolean dirty,
    Measures measures) {

  static final long HOUR_MS = 3_600_000L;

  long windowEnd() {
    return windowStart + HOUR_MS;
  }

  static long windowStartOf(long eventTime) {
    return Math.floorDiv(eventTime, HOUR_MS) * HOUR_MS;
  }

  /** The store key: organization_id (fixed-length UUID) first, window start last. */
  static String key(String organizationId, String entityKey, long windowStart) {
    return organizationId + "|" + entityKey + "|" + windowStart;
  }

  String key() {
    return key(organizationId, entityKey, windowStart);
  }

  WindowState with(Measures next) {
    return new WindowState(organizationId, entityKey, label, windowStart, revision, true, next);
  }

  WindowState emitted(long newRevision) {
    return new WindowState(
        organizationId, entityKey, label, windowStart, newRevision, false, measures);
  }
}
