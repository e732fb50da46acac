package dev.hourglass.streams;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what the stores restored from their changelogs and says it in one line once the processor
 * runs, instead of a line per store and partition: after a crash, Kafka Streams under exactly-once
 * wipes every task's stores (TaskCorruptedException) and this is where the time goes.
 */
final class RestoreLog implements StateRestoreListener {
  private static final Logger LOG = LoggerFactory.getLogger(RestoreLog.class);

  private final AtomicLong stores = new AtomicLong();
  private final AtomicLong records = new AtomicLong();

  @Override
  public void onRestoreStart(TopicPartition partition, String store, long start, long end) {
    stores.incrementAndGet();
  }

  @Override
  public void onBatchRestored(TopicPartition partition, String store, long end, long count) {
    records.addAndGet(count);
  }

  @Override
  public void onRestoreEnd(TopicPartition partition, String store, long total) {}

  /** Logs and resets what was restored since the last report, if anything. */
  void report() {
    long n = stores.getAndSet(0);
    long r = records.getAndSet(0);
    if (n > 0) {
      LOG.info("Restored {} store partitions from their changelogs ({} records)", n, r);
    }
  }
}
