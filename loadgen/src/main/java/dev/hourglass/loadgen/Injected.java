package dev.hourglass.loadgen;

import java.util.Locale;

/** What the load generator did to an event on purpose; the ledger's {@code injected} field. */
enum Injected {
  NONE,
  /** Event time moved back by more than grace + 1 hour: its window is certainly closed. */
  LATE,
  /** Event time moved back by less than grace / 2: its window is still open. */
  OUT_OF_ORDER,
  /** Decodes, fails validation; sent with validation bypassed. */
  INVALID,
  /** Bytes that are not an event. */
  POISON,
  /** An earlier event sent again: same event_id, same bytes. */
  DUPLICATE,
  /**
   * A valid event written to a partition other than the one its key maps to, as a client with
   * another partitioner would: counted once all the same (re-routed to its key's owner).
   */
  MISROUTED;

  /** The ledger's spelling: none, late, out_of_order, invalid, poison, duplicate, misrouted. */
  String ledgerName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
