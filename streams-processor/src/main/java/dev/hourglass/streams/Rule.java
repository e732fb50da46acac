package dev.hourglass.streams;

import dev.hourglass.rollups.Severity;

/**
 * One alert rule: FIRING when {@code metric} of a window exceeds {@link #fireAbove()} with at least
 * {@link #minEvents()} events behind it; RESOLVED when a later closed window of the same key is
 * below {@link #clearBelow()}. Validated by {@link Rules}.
 */
record Rule(
    String name,
    Aggregation<?> family,
    Metric metric,
    double fireAbove,
    double clearBelow,
    long minEvents,
    Severity severity) {}
