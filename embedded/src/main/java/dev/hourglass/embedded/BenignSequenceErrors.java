package dev.hourglass.embedded;

import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.filter.AbstractFilter;

/**
 * Drops the broker's ERROR for the first append of a transaction-v2 producer to a partition whose
 * sequence is not 0 yet: with several requests in flight, the batch with sequence 1 can reach a
 * partition that was just added to the transaction before the batch with sequence 0 has been
 * appended. Since KAFKA-18202 (Kafka 4.1) the broker answers with a retriable
 * OutOfOrderSequenceException, the producer sends the batch again after the first one and nothing
 * is lost or doubled; but ReplicaManager logs every refused append at ERROR with its stack trace.
 * Every other append error still shows.
 */
final class BenignSequenceErrors extends AbstractFilter {
  static final String LOGGER = "kafka.server.ReplicaManager";

  BenignSequenceErrors() {
    super(Filter.Result.DENY, Filter.Result.NEUTRAL);
  }

  @Override
  public Result filter(LogEvent event) {
    Throwable thrown = event.getThrown();
    return thrown instanceof OutOfOrderSequenceException
            && String.valueOf(thrown.getMessage()).contains("with no existing state")
        ? onMatch
        : onMismatch;
  }
}
