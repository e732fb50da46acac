package dev.hourglass.loadgen;

import dev.hourglass.contract.Family;
import org.apache.avro.specific.SpecificRecord;

/**
 * One send the load generator planned: an event (or, for poison, raw bytes) with what was injected.
 *
 * @param index position in the generated sequence, 0-based
 * @param family the event type, which picks the topic
 * @param key the record key: the organization id
 * @param event the event, null for poison
 * @param raw the bytes of a poison record, null otherwise
 * @param injected the fault injected, or NONE
 * @param expectedReason the dead-letter reason the pipeline should give (invalid and poison), or
 *     null
 */
record Planned(
    long index,
    Family family,
    String key,
    SpecificRecord event,
    byte[] raw,
    Injected injected,
    String expectedReason) {}
