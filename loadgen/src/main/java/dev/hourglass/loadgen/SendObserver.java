package dev.hourglass.loadgen;

import org.apache.avro.specific.SpecificRecord;

/**
 * Told of every event the load generator is about to send, on the sending thread, just before the
 * send: benchmarks use it to time each event from send to wherever it ends up. Poison records (not
 * events) are not reported. Must be quick: it runs inside the generator's send loop.
 */
@FunctionalInterface
public interface SendObserver {
  /** Observes nothing. */
  SendObserver NONE = (event, nanoTime) -> {};

  /**
   * @param event the event about to be sent (valid or deliberately invalid)
   * @param nanoTime {@link System#nanoTime()} just before the send
   */
  void sending(SpecificRecord event, long nanoTime);
}
