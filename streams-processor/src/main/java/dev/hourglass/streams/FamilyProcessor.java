package dev.hourglass.streams;

import dev.hourglass.avro.BadRecordException;
import dev.hourglass.avro.EventValidator;
import dev.hourglass.avro.RecordFormat;
import dev.hourglass.avro.Violation;
import dev.hourglass.contract.Family;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The whole life of one family's events in one input partition (one task): decode, validate,
 * deduplicate, add to the hourly window, publish updates and finals, correct late events, alert,
 * and dead-letter whatever cannot be used. See {@link HourglassTopology} for the contract.
 *
 * <p>Open windows are also kept deserialized in memory (rebuilt from the window store in {@link
 * #init}), so an event costs one encode and one store put, not a decode. Kafka Streams calls {@code
 * init} again after a task is revived, so everything in memory is rebuilt there.
 */
final class FamilyProcessor<E extends SpecificRecord>
    implements Processor<byte[], byte[], Object, Object> {

  /** 64 KiB: a generation's first filter holds 32,768 ids; later ones double. */
  private static final int SEEN_FILTER_FIRST_BITS = 1 << 19;

  private final Aggregation<E> aggregation;
  private final Family family;
  private final Nodes nodes;
  private final String topic;
  private final int partitions;
  private final TopologySettings settings;
  private final LiveRules rules;
  private final RecordFormat format;
  private final Books books;
  private final long graceMs;
  private final long horizonMs;

  private ProcessorContext<Object, Object> context;
  private KeyValueStore<String, byte[]> windows;
  private WindowStore<String, Long> dedup;
  private KeyValueStore<String, byte[]> statsStore;
  private WindowStore<String, byte[]> closedHours;
  private SeenFilter seenFilter;
  private EventValidator validator;
  private AlertEvaluator alerts;

  private final Map<String, WindowState> open = new HashMap<>();

  /**
   * The delta of an event that adds to an open window: added in place and dropped within the same
   * {@link #process} call, so one instance serves every such event (most of them).
   */
  private Measures scratch;

  private final Set<String> dirty = new LinkedHashSet<>();
  private long earliestClose;
  private Stats stats;
  private String statsKey;
  private boolean statsUnpublished;

  /** Stream time when the last record arrived, and the wall clock then: for extrapolation. */
  private long baseTime;

  private long lastRecordWall;

  /** The wall clock when stream time last moved: how far the dedup clock may follow it. */
  private long dedupWallBase;

  FamilyProcessor(
      Aggregation<E> aggregation,
      Nodes nodes,
      String topic,
      int partitions,
      TopologySettings settings,
      LiveRules rules,
      RecordFormat format,
      Books books) {
    this.aggregation = aggregation;
    this.family = aggregation.family();
    this.nodes = nodes;
    this.topic = topic;
    this.partitions = partitions;
    this.settings = settings;
    this.rules = rules;
    this.format = format;
    this.books = books;
    this.graceMs = settings.grace().toMillis();
    this.horizonMs = settings.dedupHorizon().toMillis();
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
    windows = context.getStateStore(nodes.windowsStore());
    dedup = context.getStateStore(nodes.dedupStore());
    statsStore = context.getStateStore(nodes.statsStore());
    closedHours = context.getStateStore(nodes.closedHoursStore());
    KeyValueStore<String, byte[]> alertStore = context.getStateStore(nodes.alertsStore());
    // Every event is validated against its record's timestamp, not this clock: the sink does the
    // same with the same record, so both give one verdict whenever and wherever they run.
    validator = new EventValidator(settings.limits(), Clock.systemUTC());
    alerts =
        new AlertEvaluator(
            aggregation,
            rules,
            alertStore,
            (key, alert) -> {
              context.forward(
                  new Record<Object, Object>(key, alert, context.currentSystemTimeMs()),
                  nodes.alertsSink());
              books.alertEmitted(family, String.valueOf(alert.getRule()), alert.getState().name());
            });

    open.clear();
    dirty.clear();
    try (KeyValueIterator<String, byte[]> it = windows.all()) {
      while (it.hasNext()) {
        var kv = it.next();
        WindowState w = StateCodec.window(kv.value);
        open.put(kv.key, w);
        if (w.dirty()) {
          dirty.add(kv.key);
        }
      }
    }
    recomputeEarliestClose();
    // The filter in front of the dedup store is rebuilt from it: the store was restored from its
    // changelog before init, so every id it holds is in the filter again.
    seenFilter = new SeenFilter(Math.max(1, horizonMs / 2), SEEN_FILTER_FIRST_BITS);
    try (KeyValueIterator<Windowed<String>, Long> it = dedup.all()) {
      while (it.hasNext()) {
        var kv = it.next();
        seenFilter.add(kv.key.key(), kv.key.window().start());
      }
    }
    statsKey = topic + "-" + context.taskId().partition();
    stats = StateCodec.stats(statsStore.get(statsKey));
    statsUnpublished = true;
    // The restored (committed) books replace whatever this task showed before it was revived.
    books.published(statsKey, family, Books.Snapshot.of(stats));
    baseTime = stats.streamTime;
    // After a restart the quiet time is counted from now: a window never closes early.
    lastRecordWall = context.currentSystemTimeMs();
    // Nor does the dedup clock count the time the task was down: a producer's resend after the
    // processor's restart finds its ids.
    dedupWallBase = lastRecordWall;
    context.schedule(settings.emitInterval(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
  }

  /**
   * What one valid, new event will change, computed and checked before anything changes: the window
   * and its key, the delta to add to it in place ({@code null} for a new window, which holds the
   * delta already), whether the window must be put into {@code open} (new, or was not dirty) and
   * into the dirty set; or, for a late event, the correction and its hour's totals so far ({@code
   * null} when the hour is older than the correction horizon).
   */
  private record Prepared(
      String eventId,
      long newStreamTime,
      boolean late,
      String key,
      WindowState window,
      Measures addend,
      boolean becameDirty,
      WindowState correction,
      ClosedHour closed) {}

  @Override
  public void process(Record<byte[], byte[]> record) {
    long now = context.currentSystemTimeMs();
    RecordMetadata source =
        context
            .recordMetadata()
            .orElseThrow(() -> new IllegalStateException("a source record has metadata"));
    String organizationId = null;
    String eventId = null;
    Prepared prepared;
    try {
      SpecificRecord decoded = format.decode(source.topic(), record.value());
      if (!aggregation.eventType().isInstance(decoded)) {
        throw new BadRecordException(
            BadRecordException.Reason.WRONG_TYPE,
            source.topic(),
            "expected "
                + aggregation.eventType().getSimpleName()
                + ", got "
                + decoded.getSchema().getFullName(),
            null);
      }
      E event = aggregation.eventType().cast(decoded);
      organizationId = family.organizationId(event);
      eventId = family.eventId(event);
      Optional<Violation> violation = validator.validate(event, record.timestamp());
      if (violation.isPresent()) {
        deadLetter(
            record,
            source,
            violation.get().reasonCode(),
            violation.get().message(),
            organizationId,
            eventId,
            now);
        return;
      }
      String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
      if (!organizationId.equals(key)) {
        deadLetter(
            record,
            source,
            DeadLetters.INVALID_KEY,
            "record key "
                + (key == null ? "null" : "\"" + key + "\"")
                + " is not the organization_id "
                + organizationId,
            organizationId,
            eventId,
            now);
        return;
      }
      // A record of the input topic on a partition that is not its key's: the task that owns the
      // key counts it, once, after it comes back through the rerouted topic (whose records are on
      // their owner's partition by construction, so they are not checked again).
      if (source.topic().equals(topic)
          && Routing.owner(record.key(), partitions) != source.partition()) {
        reroute(record);
        return;
      }
      if (seen(eventId)) {
        stats.duplicatesSuppressed++;
        saveStats();
        return;
      }
      prepared = prepare(event);
    } catch (BadRecordException e) {
      deadLetter(record, source, e.reason().name(), e.getMessage(), null, null, now);
      return;
    } catch (KafkaException e) {
      // State stores, producers, task migration: not this record's fault. Fail the task; under
      // exactly-once it restarts from the last commit.
      throw e;
    } catch (RuntimeException e) {
      deadLetter(
          record,
          source,
          DeadLetters.PROCESSING_ERROR,
          DeadLetters.describe(e),
          organizationId,
          eventId,
          now);
      return;
    }
    apply(prepared, now);
  }

  private Prepared prepare(E event) {
    String eventId = family.eventId(event);
    long at = family.occurredAt(event).toEpochMilli();
    long newStreamTime = Math.max(stats.streamTime, at);
    long windowStart = WindowState.windowStartOf(at);
    String org = family.organizationId(event);
    String entity = family.entityKey(event);
    boolean late = windowStart + WindowState.HOUR_MS + graceMs <= newStreamTime;
    if (late) {
      Measures delta = aggregation.measure(event);
      WindowState correction =
          new WindowState(org, entity, aggregation.label(event), windowStart, 0, false, delta);
      byte[] closedBytes = closedHours.fetch(ClosedHour.key(org, entity), windowStart);
      ClosedHour closed = closedBytes == null ? null : StateCodec.closedHour(closedBytes);
      if (closed != null) {
        // Throws on overflow before anything changes, as for an open window.
        closed.window().measures().checkAddable(delta);
      }
      return new Prepared(
          eventId, newStreamTime, true, null, null, null, false, correction, closed);
    }
    String key = WindowState.key(org, entity, windowStart);
    WindowState current = open.get(key);
    if (current == null) {
      // A new window keeps its first event's delta as its measures: a fresh instance.
      Measures delta = aggregation.measure(event);
      WindowState created =
          new WindowState(org, entity, aggregation.label(event), windowStart, 0, true, delta);
      return new Prepared(eventId, newStreamTime, false, key, created, null, true, null, null);
    }
    if (scratch == null) {
      scratch = aggregation.empty();
    }
    Measures delta = aggregation.measure(event, scratch.clear());
    // Throws on overflow before anything changes; apply adds in place.
    current.measures().checkAddable(delta);
    WindowState next = current.dirty() ? current : current.with(current.measures());
    return new Prepared(
        eventId, newStreamTime, false, key, next, delta, !current.dirty(), null, null);
  }

  private void apply(Prepared p, long now) {
    if (p.newStreamTime() > stats.streamTime) {
      advance(p.newStreamTime(), now);
    }
    baseTime = stats.streamTime;
    lastRecordWall = now;
    dedup.put(p.eventId(), stats.streamTime, stats.dedupTime);
    seenFilter.add(p.eventId(), stats.dedupTime);
    if (p.late()) {
      // Its window's final rollup went out when stream time passed end + grace (in advance), so
      // this delta follows it on the same partition.
      forwardRollup(
          p.correction().organizationId(),
          aggregation.correction(p.correction(), now),
          now,
          "correction");
      stats.lateCorrected++;
      if (p.closed() != null) {
        reevaluate(p.closed(), p.correction(), now);
      }
    } else {
      WindowState w = p.window();
      String key = p.key();
      if (p.addend() != null) {
        w.measures().add(p.addend());
      }
      if (p.becameDirty()) {
        // Only a new or clean window: the dirty set keeps the order windows became dirty in.
        open.put(key, w);
        dirty.add(key);
      }
      windows.put(key, StateCodec.window(w));
      earliestClose = Math.min(earliestClose, w.windowEnd() + graceMs);
    }
    stats.counted++;
    saveStats();
  }

  /**
   * Adds a late event to its closed hour's totals and evaluates the rules on them (issue 20): the
   * alerts table and topic then agree with the rollups plus corrections they describe.
   */
  private void reevaluate(ClosedHour closed, WindowState correction, long now) {
    WindowState hour = closed.window();
    hour.measures().add(correction.measures());
    Set<String> fired = new TreeSet<>(closed.firedRules());
    alerts.evaluateCorrection(hour, fired, stats.streamTime - hour.windowEnd(), now);
    closedHours.put(
        ClosedHour.key(hour.organizationId(), hour.entityKey()),
        StateCodec.closedHour(new ClosedHour(hour, fired)),
        hour.windowStart());
  }

  private boolean seen(String eventId) {
    if (stats.dedupTime == Long.MIN_VALUE) {
      return false;
    }
    long from = Math.max(0, stats.dedupTime - horizonMs);
    if (!seenFilter.mightContain(eventId, from)) {
      return false;
    }
    try (WindowStoreIterator<Long> it = dedup.fetch(eventId, from, Long.MAX_VALUE)) {
      return it.hasNext();
    }
  }

  /** Moves stream time forward and publishes the final version of every window it closes. */
  private void advance(long newStreamTime, long now) {
    stats.streamTime = newStreamTime;
    advanceDedupTime(now);
    seenFilter.expireBefore(Math.max(0, stats.dedupTime - horizonMs));
    if (newStreamTime < earliestClose) {
      return;
    }
    List<WindowState> closing = new ArrayList<>();
    for (WindowState w : open.values()) {
      if (w.windowEnd() + graceMs <= newStreamTime) {
        closing.add(w);
      }
    }
    closing.sort(
        Comparator.comparingLong(WindowState::windowStart).thenComparing(WindowState::key));
    for (WindowState w : closing) {
      WindowState last = w.emitted(w.revision() + 1);
      forwardRollup(last.organizationId(), aggregation.rollup(last, true, now), now, "final");
      alerts.evaluate(last, true, now);
      // Kept for the correction horizon, so that a late event re-evaluates the rules on the hour.
      closedHours.put(
          ClosedHour.key(last.organizationId(), last.entityKey()),
          StateCodec.closedHour(new ClosedHour(last, alerts.firedRules(last))),
          last.windowStart());
      String key = w.key();
      open.remove(key);
      dirty.remove(key);
      windows.delete(key);
    }
    recomputeEarliestClose();
  }

  /**
   * Moves the dedup clock after stream time, never faster than the wall clock. Stream time alone
   * races ahead when a backlog spanning hours of event time arrives in seconds (a producer catching
   * up): ids of its first events would be forgotten before the producer could resend them (chaos
   * scenario 7). So an id is remembered for the horizon of the task's running wall clock at least,
   * and, while no backlog put the clock behind stream time, of stream time too.
   */
  private void advanceDedupTime(long now) {
    stats.dedupTime =
        stats.dedupTime == Long.MIN_VALUE
            ? stats.streamTime
            : Math.min(stats.streamTime, stats.dedupTime + Math.max(0, now - dedupWallBase));
    dedupWallBase = now;
  }

  private void punctuate(long now) {
    if (stats.streamTime != Long.MIN_VALUE) {
      // A quiet partition's stream time runs on with the wall clock (docs/contracts.md, "Event
      // time"), so that its last hour closes even when nothing more arrives.
      long extrapolated = baseTime + (now - lastRecordWall);
      if (extrapolated > stats.streamTime) {
        advance(extrapolated, now);
        saveStats();
      }
    }
    for (String key : dirty) {
      WindowState w = open.get(key);
      WindowState next = w.emitted(w.revision() + 1);
      forwardRollup(next.organizationId(), aggregation.rollup(next, false, now), now, "update");
      open.put(key, next);
      windows.put(key, StateCodec.window(next));
      alerts.evaluate(next, false, now);
    }
    dirty.clear();
    if (statsUnpublished) {
      context.forward(new Record<Object, Object>(statsKey, stats.toJson(), now), nodes.statsSink());
      statsUnpublished = false;
      books.published(statsKey, family, Books.Snapshot.of(stats));
    }
  }

  private void forwardRollup(String organizationId, SpecificRecord value, long now, String kind) {
    context.forward(new Record<Object, Object>(organizationId, value, now), nodes.rollupsSink());
    books.rollupEmitted(family, kind);
  }

  private void deadLetter(
      Record<byte[], byte[]> record,
      RecordMetadata source,
      String reason,
      String message,
      String organizationId,
      String eventId,
      long now) {
    context.forward(
        new Record<Object, Object>(
            record.key(),
            DeadLetters.of(
                source.topic(),
                source.partition(),
                source.offset(),
                reason,
                message,
                organizationId,
                eventId,
                record.key(),
                record.value(),
                now),
            record.timestamp()),
        nodes.deadLettersSink());
    stats.deadLettered(reason);
    saveStats();
  }

  private void reroute(Record<byte[], byte[]> record) {
    context.forward(
        new Record<Object, Object>(record.key(), record.value(), record.timestamp()),
        nodes.reroutedSink());
    stats.rerouted++;
    saveStats();
  }

  @Override
  public void close() {
    if (statsKey != null) {
      books.closed(statsKey);
    }
  }

  private void saveStats() {
    statsStore.put(statsKey, StateCodec.stats(stats));
    statsUnpublished = true;
  }

  private void recomputeEarliestClose() {
    long min = Long.MAX_VALUE;
    for (WindowState w : open.values()) {
      min = Math.min(min, w.windowEnd() + graceMs);
    }
    earliestClose = min;
  }
}
