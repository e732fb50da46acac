package dev.hourglass.sink;

import dev.hourglass.avro.RecordFormat;
import dev.hourglass.contract.Topics;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's loop: poll, decode, batch, write, repeat. Its thread alone touches the consumer and
 * the loop's state; one writer thread runs {@link BatchWriter#commit} of one batch at a time, so
 * that the next batch is fetched and decoded while the previous one is written.
 *
 * <p>Pipelining keeps the protocol's order: when a batch is due, its records leave the buffer and
 * are planned ({@link Batch#plan}: the statements and their parameters) at once, while the previous
 * batch is written; the batch is cut (its offset moves computed from the stored offsets) only once
 * the previous batch's outcome is known, so at most one batch is in flight and the next batch's
 * expected offsets are the ones the previous batch committed. A rebalance waits in the listener for
 * the batch in flight before partitions are given up, so that the next owner reads its committed
 * offsets. Retries after a failure are written synchronously, with every partition paused, as
 * before.
 *
 * <p>Exactly-once: an assigned partition stays paused until it is claimed in {@code sink_offsets}
 * (its stored offset read and its owner epoch moved on, {@link OffsetStore#claim}) and the consumer
 * is seeked there (offset 0: the beginning). A batch's rows and the compare-and-set of its
 * partitions' offsets and epochs commit in one transaction. When the compare-and-set fails, another
 * instance moved the offsets or claimed the partitions: the batch is rolled back, everything
 * buffered is dropped and every partition is claimed and seeked again from the store, after a poll.
 *
 * <p>Asynchronous commit ({@code sink.synchronous.commit=off}, or a server whose {@code
 * synchronous_commit} is off): a PostgreSQL crash may lose the last commits it acknowledged, rows
 * and offsets together, while this instance goes on from positions beyond them. The partitions such
 * commits moved stay {@link #unconfirmed} until a synchronous commit of this instance (a claim, or
 * the check it commits synchronously when it goes idle, {@link #confirmWhenIdle}) has put them on
 * disk; every batch checks, in its transaction, that their stored offsets are still where this
 * instance committed them. When one went back, the batch is rolled back and every partition is
 * claimed and seeked again from the store, as after a rejected commit: the lost records are
 * replayed from Kafka.
 *
 * <p>Backpressure: while the database fails transiently, every partition is paused and the thread
 * keeps polling (so the group keeps it), retrying the same batch with bounded exponential backoff
 * and jitter; memory stays at two batches (one written, one filling), each at most {@code
 * sink.batch.size + sink.max.poll.records} records.
 */
final class SinkLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(SinkLoop.class);
  private static final Duration MAX_PAUSED_POLL = Duration.ofSeconds(1);

  private final SinkConfig config;
  private final Consumer<byte[], byte[]> consumer;
  private final DataSource dataSource;
  private final RecordDecoder decoder;
  private final OffsetStore offsets;
  private final Partitions partitions = new Partitions();
  private final BatchWriter writer;
  private final Backoff backoff;
  private final KafkaRetry kafkaRetry;
  private final FaultHook hook;
  private final SinkMetrics metrics;

  /** Stored next offset of each owned, seeked partition ({@link OffsetStore#NONE}: no row). */
  private final Map<TopicPartition, Long> stored = new HashMap<>();

  /** The owner epoch this instance claimed each owned, seeked partition with. */
  private final Map<TopicPartition, Long> epochs = new HashMap<>();

  /** Owned partitions not yet claimed and seeked to their stored offsets; kept paused. */
  private final Set<TopicPartition> needSeek = new HashSet<>();

  /**
   * After a rejected commit, partitions are claimed again only once a poll has run: an instance
   * that lost them learns it there, and must not fence out their new owner by claiming them.
   */
  private boolean claimAfterPoll;

  private final List<SinkRecord> buffer = new ArrayList<>();

  /**
   * Partitions moved by asynchronous commits of this instance that may not be on disk yet: no
   * synchronous commit of this instance has followed them.
   */
  private final Set<TopicPartition> unconfirmed = new HashSet<>();

  /**
   * The offset moves of the asynchronous commits since the last synchronous one, newest last, at
   * most {@link #RECENT} of them: how many commits a crash lost is counted from them.
   */
  private final ArrayDeque<Map<TopicPartition, Long>> recentAsync = new ArrayDeque<>();

  private static final int RECENT = 1000;

  /** The pending batch when it only confirms earlier asynchronous commits (no rows, no moves). */
  private Batch confirming;

  /** The server's (database's, role's) synchronous_commit is off, as read at the last claim. */
  private boolean serverAsynchronous;

  /**
   * The buffer's records once a batch is due, planned while the batch in flight is written, with
   * the consumer's positions after them; cut into {@link #pending} once that batch's outcome is
   * known.
   */
  private Planned planned;

  /** Cut and not committed yet: being written ({@link #inFlight}) or to be retried. */
  private Batch pending;

  /** The write of {@link #pending} running on the writer thread, or done and not yet looked at. */
  private Write inFlight;

  private long firstRecordAt;

  /** Writes batches while this loop's thread polls and decodes the next one. */
  private final ExecutorService writerThread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "hourglass-sink-writer");
            // A crashed loop (a simulated kill) must not keep the JVM alive through this thread.
            t.setDaemon(true);
            return t;
          });

  /** How many owned partitions are seeked to their stored offsets: {@code stored.size()}. */
  private volatile int partitionsReady;

  /** Partitions assigned to this instance; -1 until the group's first assignment. */
  private volatile int partitionsOwned = -1;

  private volatile boolean running = true;
  private boolean consumerClosed;
  private volatile RuntimeException failure;

  private final AtomicLong batchesCommitted = new AtomicLong();
  private final AtomicLong recordsCommitted = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong transientFailures = new AtomicLong();
  private final AtomicLong commitsRejected = new AtomicLong();
  private final AtomicLong partitionsRevoked = new AtomicLong();
  private final AtomicLong commitsLost = new AtomicLong();
  private final AtomicLong offsetsReplayed = new AtomicLong();

  SinkLoop(
      SinkConfig config,
      Consumer<byte[], byte[]> consumer,
      RecordFormat format,
      DataSource dataSource,
      FaultHook hook,
      SinkMetrics metrics) {
    this.config = config;
    this.consumer = consumer;
    this.dataSource = dataSource;
    this.decoder =
        new RecordDecoder(
            Topics.withPrefix(config.topicPrefix()).withFormat(format),
            config.reads(),
            Clock.systemUTC());
    this.offsets = new OffsetStore(config.groupId());
    this.hook = hook;
    this.metrics = metrics;
    this.writer = new BatchWriter(dataSource, offsets, partitions, hook);
    this.backoff =
        new Backoff(
            config.retryInitialBackoff(), config.retryMaxBackoff(), config.retryMaxAttempts());
    this.kafkaRetry =
        new KafkaRetry(
            config.retryInitialBackoff(),
            config.retryMaxBackoff(),
            config.retryMaxAttempts(),
            this::pauseWhileRunning,
            () -> running);
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(decoder.topics(), new Listener());
      loop();
    } catch (WakeupException e) {
      if (running) {
        failure = e;
      }
    } catch (RuntimeException e) {
      failure = e;
      LOG.error("Sink stopped: {}", e.getMessage(), e);
    }
    // A batch still being written finishes (committed or rolled back) before anything closes.
    awaitInFlight();
    writerThread.shutdown();
    // An Error (the fault hook's simulated crash) skips this on purpose: like a killed process,
    // the instance leaves its consumer and transaction behind without closing anything.
    closeConsumer(Duration.ofSeconds(30));
  }

  /**
   * Closes the consumer of a loop that never ran or died without closing it (a simulated crash
   * leaves it to the test's clean-up). Only called once the loop's thread is gone.
   */
  void closeAbandoned() {
    // Nobody will record the outcome of a write the dead loop left behind; closing must not wait.
    inFlight = null;
    writerThread.shutdownNow();
    closeConsumer(Duration.ZERO);
  }

  private synchronized void closeConsumer(Duration timeout) {
    if (consumerClosed) {
      return;
    }
    consumerClosed = true;
    try {
      consumer.close(CloseOptions.timeout(timeout));
    } catch (RuntimeException e) {
      LOG.warn("Closing the consumer failed: {}", e.toString());
    }
  }

  void stop() {
    running = false;
    consumer.wakeup();
  }

  RuntimeException failure() {
    return failure;
  }

  /** The topics this loop subscribes to. */
  List<String> topics() {
    return decoder.topics();
  }

  /** In the group, and every partition it owns seeked to its stored offset. */
  boolean ownsItsPartitions() {
    int owned = partitionsOwned;
    return owned >= 0 && partitionsReady == owned;
  }

  SinkStats stats() {
    return new SinkStats(
        batchesCommitted.get(),
        recordsCommitted.get(),
        deadLettered.get(),
        transientFailures.get(),
        commitsRejected.get(),
        partitionsRevoked.get(),
        partitionsReady,
        commitsLost.get(),
        offsetsReplayed.get());
  }

  private void loop() {
    long idleSince = System.nanoTime();
    while (running) {
      // A finished write is looked at at once; a pending seek and a planned batch wait for the
      // write in flight.
      if (inFlight != null
          && (inFlight.result().isDone() || !needSeek.isEmpty() || planned != null)
          && !attempt("write a batch", this::commitPending)) {
        continue;
      }
      if (!needSeek.isEmpty()
          && !claimAfterPoll
          && !attempt("claim partitions and read stored offsets", this::seekFromStore)) {
        continue;
      }
      // A batch whose write failed is retried here, synchronously, every partition paused.
      if (pending != null && inFlight == null && !attempt("write a batch", this::commitPending)) {
        continue;
      }
      if (planned != null) {
        // The previous batch's outcome is known: its offsets are where this one starts.
        cut();
        if (pending == null) {
          confirmWhenIdle();
        }
        startWrite();
        continue;
      }
      resumeOwned();
      // A batch waits at most sink.batch.max.wait.ms from its first record, however long the
      // previous
      // commit took; an empty buffer still checks every sink.batch.max.wait.ms whether offsets
      // moved.
      long since = buffer.isEmpty() ? idleSince : firstRecordAt;
      long waited = (System.nanoTime() - since) / 1_000_000;
      long wait = Math.max(0, config.batchMaxWait().toMillis() - waited);
      boolean wasEmpty = buffer.isEmpty();
      if (buffer.size() < config.batchSize()) {
        take(consumer.poll(Duration.ofMillis(wait)));
        claimAfterPoll = false;
      }
      long now = System.nanoTime();
      if (wasEmpty && !buffer.isEmpty()) {
        firstRecordAt = now;
      }
      since = buffer.isEmpty() ? idleSince : firstRecordAt;
      if (buffer.size() >= config.batchSize()
          || (now - since) / 1_000_000 >= config.batchMaxWait().toMillis()) {
        // Planned here, on this thread, while the batch in flight is written; nothing is read
        // into it after this, so the positions taken now are where its offsets go.
        planned = new Planned(Batch.plan(buffer), positions());
        buffer.clear();
        idleSince = now;
      }
    }
  }

  /** A batch's plan and the consumer's position, after its records, of each partition it read. */
  private record Planned(Batch batch, Map<TopicPartition, Long> positions) {
    Planned without(Set<TopicPartition> gone) {
      Map<TopicPartition, Long> kept = new HashMap<>(positions);
      kept.keySet().removeAll(gone);
      return new Planned(batch.without(gone), kept);
    }
  }

  private void take(ConsumerRecords<byte[], byte[]> polled) {
    for (ConsumerRecord<byte[], byte[]> r : polled) {
      // A record of a schema not seen yet reads the schemas topic: retried while the brokers are
      // unreachable, without polling, so the records in hand stay in order. An outage past
      // max.poll.interval.ms costs this member its partitions at the next poll, as any rebalance
      // does; the offsets in PostgreSQL keep that exact.
      buffer.add(
          kafkaRetry.call(
              "decode a record of " + r.topic() + "-" + r.partition() + " (its schema)",
              () -> decoder.decode(r)));
    }
  }

  /** Waits {@code wait}, or less when the sink stops meanwhile. */
  private void pauseWhileRunning(Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    try {
      while (running && System.nanoTime() < deadline) {
        Thread.sleep(Math.min(100, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The consumer's position of every owned, seeked partition. */
  private Map<TopicPartition, Long> positions() {
    Map<TopicPartition, Long> out = new HashMap<>();
    for (TopicPartition tp : consumer.assignment()) {
      if (!stored.containsKey(tp) || needSeek.contains(tp)) {
        continue;
      }
      try {
        // Past transaction markers too, so that stored offsets can reach the end offsets.
        out.put(tp, consumer.position(tp, Duration.ZERO));
      } catch (TimeoutException e) {
        // Position not known yet: nothing was read from it.
      }
    }
    return out;
  }

  /**
   * Makes the planned batch the pending one, with the offset moves (expected = stored offset, next
   * = position after its records) of every partition whose position moved; drops it when it has
   * neither records nor moves.
   */
  private void cut() {
    Map<TopicPartition, OffsetStore.Advance> advances = new HashMap<>();
    planned
        .positions()
        .forEach(
            (tp, position) -> {
              Long from = stored.get(tp);
              if (from == null || needSeek.contains(tp)) {
                return;
              }
              if (from == OffsetStore.NONE ? position > 0 : position != from) {
                advances.put(tp, new OffsetStore.Advance(from, position, epochs.get(tp)));
              }
            });
    Batch batch = planned.batch().advancing(advances);
    planned = null;
    pending = batch.isEmpty() ? null : batch;
  }

  private interface Step {
    void run() throws SQLException, BatchWriter.StaleOffsetsException;
  }

  /** Runs a database step; on a transient error waits (polling, paused) and returns false. */
  private boolean attempt(String what, Step step) {
    try {
      step.run();
      if (backoff.attempt() > 0) {
        LOG.info(
            "Database answers again: {} succeeded after {} failed attempts",
            what,
            backoff.attempt());
        backoff.reset();
      }
      return true;
    } catch (BatchWriter.StaleOffsetsException e) {
      if (e.behind().isEmpty()) {
        commitsRejected.incrementAndGet();
        LOG.warn("Commit rejected: {}", e.getMessage());
      } else {
        lost(e.behind());
      }
      reseekAll();
      return true;
    } catch (SQLException | RuntimeException e) {
      SqlErrors.Kind kind = SqlErrors.classify(e);
      if (kind != SqlErrors.Kind.TRANSIENT) {
        throw new IllegalStateException(
            "Cannot " + what + " (not retriable): " + e.getMessage(), e);
      }
      transientFailures.incrementAndGet();
      partitions.forget();
      Duration wait = backoff.next();
      backoff.log(LOG, what, e, wait, "partitions paused, ", "the sink never drops a batch");
      waitPolling(wait);
      return false;
    }
  }

  /** Waits with every partition paused, polling so that the group does not evict this member. */
  private void waitPolling(Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (running) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      consumer.pause(consumer.assignment());
      take(consumer.poll(Duration.ofNanos(Math.min(left, MAX_PAUSED_POLL.toNanos()))));
      claimAfterPoll = false;
    }
  }

  private void resumeOwned() {
    Set<TopicPartition> paused = new HashSet<>(consumer.paused());
    paused.removeAll(needSeek);
    paused.retainAll(consumer.assignment());
    if (!paused.isEmpty()) {
      consumer.resume(paused);
    }
  }

  private void seekFromStore() throws SQLException {
    needSeek.retainAll(consumer.assignment());
    if (needSeek.isEmpty()) {
      return;
    }
    Set<TopicPartition> partitionsToSeek = Set.copyOf(needSeek);
    Map<TopicPartition, OffsetStore.Claim> claimed;
    try (Connection c = dataSource.getConnection()) {
      serverAsynchronous = "off".equals(Sql.setting(c, "synchronous_commit"));
      // Synchronous even when the batches are not: an owner epoch is never lost, and this commit
      // puts every earlier commit of this instance on disk with it.
      BatchWriter.synchronousCommit(
          c, serverAsynchronous ? BatchWriter.Commit.ON : BatchWriter.Commit.SERVER_SETTING);
      claimed = offsets.claim(c, partitionsToSeek);
      c.commit();
    }
    confirmed();
    Map<TopicPartition, Long> gaps = retentionGaps(claimed);
    Map<TopicPartition, Long> loaded = new HashMap<>();
    for (TopicPartition tp : partitionsToSeek) {
      OffsetStore.Claim claim = claimed.get(tp);
      if (gaps.containsKey(tp)) {
        // Accepted by the operator: from the first record retention kept.
        consumer.seek(tp, gaps.get(tp));
      } else if (claim.next() == 0) {
        // Where the log starts now: its first offsets may have been deleted by retention.
        consumer.seekToBeginning(List.of(tp));
      } else {
        consumer.seek(tp, claim.next());
      }
      stored.put(tp, claim.next());
      epochs.put(tp, claim.epoch());
      loaded.put(tp, claim.next());
    }
    needSeek.removeAll(partitionsToSeek);
    partitionsReady = stored.size();
    LOG.info(
        "Claimed and seeked to stored offsets: {}", new java.util.TreeMap<>(stringKeys(loaded)));
    hook.afterSeek(partitionsToSeek);
  }

  /**
   * The partitions whose next record to write is gone from Kafka (below the log start offset:
   * deleted by retention, or by deleteRecords), each with its log start offset. A partition with no
   * stored offset counts from 0: after a restore, a row the backup did not hold yet. Refused,
   * naming each partition, unless {@code sink.accept.retention.gaps} accepts the loss: a restored
   * backup older than the topics' retention would otherwise resume silently past records that never
   * reach PostgreSQL.
   */
  private Map<TopicPartition, Long> retentionGaps(Map<TopicPartition, OffsetStore.Claim> claimed) {
    Map<TopicPartition, Long> starts = consumer.beginningOffsets(claimed.keySet());
    Map<TopicPartition, Long> gaps =
        new java.util.TreeMap<>(
            java.util.Comparator.comparing(TopicPartition::topic)
                .thenComparingInt(TopicPartition::partition));
    StringBuilder named = new StringBuilder();
    for (Map.Entry<TopicPartition, OffsetStore.Claim> e : claimed.entrySet()) {
      Long start = starts.get(e.getKey());
      long next = e.getValue().next();
      if (start != null && next < start) {
        gaps.put(e.getKey(), start);
      }
    }
    gaps.forEach(
        (tp, start) -> {
          long next = claimed.get(tp).next();
          named
              .append(named.isEmpty() ? "" : ", ")
              .append(tp)
              .append(" needs offset ")
              .append(next)
              .append(" but its log starts at ")
              .append(start)
              .append(" (")
              .append(start - next)
              .append(" records gone)");
        });
    if (gaps.isEmpty()) {
      return gaps;
    }
    if (!config.acceptRetentionGaps()) {
      throw new IllegalStateException(
          "Refusing to resume: records the sink never wrote to PostgreSQL are gone from Kafka"
              + " (retention): "
              + named
              + ". Restore a newer backup, or set "
              + SinkConfig.ACCEPT_RETENTION_GAPS
              + "=true to resume from the first remaining records and accept the loss");
    }
    LOG.warn(
        "Resuming past records gone from Kafka ({}=true), never written to PostgreSQL: {}",
        SinkConfig.ACCEPT_RETENTION_GAPS,
        named);
    return gaps;
  }

  /** A batch handed to the writer thread, how it commits, and the outcome of its commit. */
  private record Write(
      Batch batch, BatchWriter.Durability how, Future<BatchWriter.Result> result) {}

  /** Whether commits of this instance may be asynchronous, and must be checked. */
  private boolean asynchronous() {
    return !config.synchronousCommit() || serverAsynchronous;
  }

  /**
   * How {@code batch} commits: off when the sink is so configured; with the unconfirmed partitions
   * it does not move, to be checked in its transaction. A {@link #confirming} batch commits
   * synchronously and checks every unconfirmed partition.
   */
  private BatchWriter.Durability durability(Batch batch) {
    if (!asynchronous()) {
      return BatchWriter.Durability.SERVER;
    }
    boolean confirm = batch == confirming;
    Map<TopicPartition, OffsetStore.Claim> check = new HashMap<>();
    for (TopicPartition tp : unconfirmed) {
      if ((confirm || !batch.advances().containsKey(tp)) && stored.containsKey(tp)) {
        check.put(tp, new OffsetStore.Claim(stored.get(tp), epochs.get(tp)));
      }
    }
    BatchWriter.Commit commit;
    if (confirm) {
      commit = serverAsynchronous ? BatchWriter.Commit.ON : BatchWriter.Commit.SERVER_SETTING;
    } else {
      commit =
          config.synchronousCommit() ? BatchWriter.Commit.SERVER_SETTING : BatchWriter.Commit.OFF;
    }
    return new BatchWriter.Durability(commit, check, confirm);
  }

  /**
   * When nothing is left to write and commits of this instance may still be lost, makes the pending
   * batch one that checks their partitions and commits synchronously: it finds a commit a crash
   * lost even if no record ever comes again on its partitions, and otherwise puts every one of them
   * on disk.
   */
  private void confirmWhenIdle() {
    if (unconfirmed.isEmpty() || !needSeek.isEmpty()) {
      return;
    }
    confirming = Batch.plan(List.of());
    pending = confirming;
  }

  /** A synchronous commit of this instance: all its earlier commits are on disk too. */
  private void confirmed() {
    unconfirmed.clear();
    recentAsync.clear();
  }

  /** PostgreSQL lost commits of this instance: counts and logs them; the caller re-seeks. */
  private void lost(Map<TopicPartition, OffsetStore.Behind> behind) {
    long lostCommits =
        recentAsync.stream()
            .filter(
                moves ->
                    moves.entrySet().stream()
                        .anyMatch(
                            m ->
                                behind.containsKey(m.getKey())
                                    && m.getValue() > behind.get(m.getKey()).stored()))
            .count();
    long replay = behind.values().stream().mapToLong(b -> b.committed() - b.stored()).sum();
    commitsLost.addAndGet(lostCommits);
    offsetsReplayed.addAndGet(replay);
    LOG.warn(
        "Stored offset behind the batch's expected offset for {}: {}{} commits lost by PostgreSQL"
            + " (asynchronous commits lost in a crash, or a backup restored); rolled back,"
            + " re-reading every partition from the store and replaying {} offsets from Kafka",
        behind,
        recentAsync.size() == RECENT ? "at least " : "",
        lostCommits,
        replay);
  }

  /** Hands {@link #pending} to the writer thread; the loop goes on polling meanwhile. */
  private void startWrite() {
    if (pending == null || inFlight != null) {
      return;
    }
    if (pending.isEmpty() && pending != confirming) {
      pending = null;
      return;
    }
    Batch batch = pending;
    BatchWriter.Durability how = durability(batch);
    inFlight = new Write(batch, how, writerThread.submit(() -> write(batch, how)));
  }

  /** On the writer thread. The counters move as soon as the transaction is committed. */
  private BatchWriter.Result write(Batch batch, BatchWriter.Durability how)
      throws SQLException, BatchWriter.StaleOffsetsException {
    long started = System.nanoTime();
    BatchWriter.Result result = writer.commit(batch, how);
    if (how.confirm()) {
      // Neither rows nor offsets: not a batch the books count.
      return result;
    }
    metrics.committed(batch, result, System.nanoTime() - started);
    batchesCommitted.incrementAndGet();
    recordsCommitted.addAndGet(result.records());
    deadLettered.addAndGet(result.deadLettered());
    return result;
  }

  /** Waits for the pending batch's write (starting it if needed) and records its outcome. */
  private void commitPending() throws SQLException, BatchWriter.StaleOffsetsException {
    startWrite();
    if (inFlight == null) {
      return;
    }
    Write write = inFlight;
    BatchWriter.Result result;
    try {
      result = write.result().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while a batch was written", e);
    } catch (ExecutionException e) {
      inFlight = null;
      Throwable cause = e.getCause();
      if (cause instanceof SQLException sql) {
        throw sql;
      } else if (cause instanceof BatchWriter.StaleOffsetsException stale) {
        throw stale;
      } else if (cause instanceof RuntimeException runtime) {
        throw runtime;
      } else if (cause instanceof Error error) {
        // A simulated crash on the writer thread kills the loop as it would have killed a
        // single-threaded sink: nothing is closed.
        throw error;
      }
      throw new IllegalStateException("writing a batch failed: " + cause, cause);
    }
    inFlight = null;
    committed(write, result);
  }

  private void committed(Write write, BatchWriter.Result result) {
    Batch batch = write.batch();
    batch.advances().forEach((tp, a) -> stored.put(tp, a.next()));
    pending = null;
    confirming = null;
    BatchWriter.Commit commit = write.how().commit();
    if (commit == BatchWriter.Commit.ON
        || (commit == BatchWriter.Commit.SERVER_SETTING && !serverAsynchronous)) {
      confirmed();
    } else {
      unconfirmed.addAll(batch.advances().keySet());
      Map<TopicPartition, Long> moves = new HashMap<>();
      batch.advances().forEach((tp, a) -> moves.put(tp, a.next()));
      recentAsync.addLast(moves);
      if (recentAsync.size() > RECENT) {
        recentAsync.removeFirst();
      }
    }
    if (result.deadLettered() > 0) {
      LOG.warn(
          "Dead-lettered {} of {} records that could not be used; the sink goes on. Their reasons"
              + " are in the dead_letters table (reason_code, message)",
          result.deadLettered(),
          result.records());
    }
  }

  /**
   * Waits until the write in flight is done. A committed batch is recorded at once (its offsets
   * become the stored ones); a failed one is left for the loop, which classifies and retries it.
   */
  private void awaitInFlight() {
    if (inFlight == null) {
      return;
    }
    try {
      committed(inFlight, inFlight.result().get());
      inFlight = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // Stays in inFlight: commitPending throws it where attempt() handles it.
    }
  }

  /** After a rejected commit: forget all that is in memory and start again from the store. */
  private void reseekAll() {
    planned = null;
    pending = null;
    confirming = null;
    inFlight = null;
    buffer.clear();
    stored.clear();
    epochs.clear();
    confirmed();
    partitionsReady = 0;
    needSeek.addAll(consumer.assignment());
    consumer.pause(consumer.assignment());
    claimAfterPoll = true;
  }

  private void forget(Collection<TopicPartition> gone) {
    Set<TopicPartition> set = Set.copyOf(gone);
    buffer.removeIf(r -> set.contains(new TopicPartition(r.topic(), r.partition())));
    if (planned != null) {
      planned = planned.without(set);
    }
    if (pending != null) {
      pending = pending.without(set);
    }
    stored.keySet().removeAll(set);
    epochs.keySet().removeAll(set);
    unconfirmed.removeAll(set);
    partitionsReady = stored.size();
    needSeek.removeAll(set);
  }

  private static Map<String, Long> stringKeys(Map<TopicPartition, Long> m) {
    Map<String, Long> out = new HashMap<>();
    m.forEach((k, v) -> out.put(k.toString(), v));
    return out;
  }

  /**
   * Runs inside poll(), on the loop's thread. Before partitions go, the batch in flight is waited
   * for, so that the next owner seeks to the offsets it committed (as the KafkaConsumer Javadoc
   * commits in onPartitionsRevoked); the compare-and-set would reject it otherwise.
   */
  private final class Listener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      awaitInFlight();
      if (!revoked.isEmpty()) {
        partitionsRevoked.incrementAndGet();
        LOG.info("Partitions revoked: {}", revoked);
      }
      forget(revoked);
      if (!revoked.isEmpty()) {
        // Not ready again until the group assigns this instance its partitions.
        partitionsOwned = -1;
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      awaitInFlight();
      partitionsRevoked.incrementAndGet();
      LOG.warn("Partitions lost: {}", lost);
      forget(lost);
      partitionsOwned = -1;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      if (!assigned.isEmpty()) {
        LOG.info("Partitions assigned: {}", assigned);
      }
      // Nothing is read from a partition before it is seeked to its stored offset.
      consumer.pause(assigned);
      needSeek.addAll(assigned);
      partitionsOwned = consumer.assignment().size();
    }
  }
}
