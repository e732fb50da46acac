package dev.hourglass.sink;

/** Thrown by a test's fault hook: an Error, so the sink closes nothing, as a killed process. */
final class SimulatedCrash extends Error {
  private static final long serialVersionUID = 1L;

  SimulatedCrash(String where) {
    super("simulated crash " + where);
  }
}
