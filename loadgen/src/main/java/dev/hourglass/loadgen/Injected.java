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
  DUPLICATE;

  /** The ledger's spelling: none, late, out_of_order, invalid, poison, duplicate. */
  String ledgerName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
