package dev.hourglass.streams;

import dev.hourglass.avro.ValidationLimits;
import java.time.Duration;
import java.util.Objects;

/**
 * What the topology itself needs to know, apart from topics and rules (see {@link
 * ProcessorConfig#topology()} for the checks and defaults).
 *
 * @param grace how long after its end a window still takes events before it closes
 * @param dedupHorizon how long an event_id is remembered, on the dedup clock: stream time, never
 *     faster than the wall clock while the task runs
 * @param emitInterval how often (wall clock) updated windows are published
 * @param limits the event validation bounds
 * @param correctionHorizon how long (stream time) a closed hour's totals are kept for evaluating
 *     the alert rules on its corrections
 */
record TopologySettings(
    Duration grace,
    Duration dedupHorizon,
    Duration emitInterval,
    ValidationLimits limits,
    Duration correctionHorizon) {
  TopologySettings {
    Objects.requireNonNull(grace, "grace");
    Objects.requireNonNull(dedupHorizon, "dedupHorizon");
    Objects.requireNonNull(emitInterval, "emitInterval");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(correctionHorizon, "correctionHorizon");
  }
}
