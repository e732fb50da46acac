package dev.hourglass.streams;

import dev.hourglass.contract.Topics;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The Hourglass topology, as a pure function of its settings, topics and rules.
 *
 * <p><b>Reads</b> {@code task-events}, {@code agent-events} and {@code integration-events} (key:
 * organization_id, value: single-object Avro event, both read as bytes). <b>Writes</b> {@code
 * rollups} (TaskRollup/AgentRollup/IntegrationRollup and their corrections, key organization_id),
 * {@code alerts} (key {@code <rule>|<organization_id>|<entity_key>}), {@code dead-letters} (key:
 * the source key bytes) and {@code stats} (key {@code <input topic>-<partition>}, JSON). Run it
 * with {@link StreamsProcessorApp}; test it with {@code TopologyTestDriver} on {@link #build}.
 *
 * <p>Each family is its own sub-topology: source, one {@link FamilyProcessor} with five stores
 * (windows, dedup, alert state, stats, closed hours) and four sinks. Events are keyed by
 * organization and every window key starts with it, so nothing is repartitioned: the topology has
 * no repartition topic and its three input topics need not have the same partition count.
 *
 * <p><b>Processor API, not the DSL.</b> The DSL's windowed aggregation drops a record for a closed
 * window with only a metric to show for it; here such an event becomes a correction. Windows are
 * hourly and tumbling on {@code occurred_at}, closed when the partition's stream time (the greatest
 * occurred_at seen, run on with the wall clock while the partition is quiet) reaches {@code
 * window_end + grace}. Updates of the windows that changed are published every {@code
 * streams.emit.interval.ms} of wall clock with revision + 1; the final version (is_final) when the
 * window closes.
 *
 * <p><b>Dead letters and the exception handlers.</b> The processor reads bytes and decodes them
 * itself, so a record that does not decode (the {@code BadRecordException} reason), fails
 * validation (the {@code Violation} reason), is keyed by another organization ({@code INVALID_KEY})
 * or throws while it is processed ({@code PROCESSING_ERROR}) is forwarded to the dead-letter sink
 * by the same task, inside the same transaction, and counted in stats, with nothing of it applied
 * to state. Kafka Streams 4.3's handlers stay as a backstop: {@link DeadLetterProcessingHandler}
 * and {@link DeadLetterDeserializationHandler} answer with the handler's dead-letter-queue response
 * ({@code Response.resume(records)}), which Kafka Streams writes through the task's producer, also
 * inside the transaction; but they see only the exception and the raw bytes, not the decoded
 * organization or event id, and a processor catch also keeps the processor's in-memory view
 * consistent, which is why the catch comes first. Kafka's built-in handlers with {@code
 * errors.dead.letter.queue.topic.name} write the raw record with headers, not the {@code
 * DeadLetter} record the sink and operators read, so they are not used; the setting names the topic
 * for ours. The production handler is Kafka's default: fail, never drop an output record.
 */
public final class HourglassTopology {

  private HourglassTopology() {}

  /**
   * The topology for {@code settings}, reading and writing {@code topics}, alerting on rules,
   * forwarding misrouted records as {@code routing} says.
   */
  public static Topology build(
      ProcessorConfig config, Topics topics, Rules rules, Routing routing) {
    return build(config.topology(), topics, new LiveRules(rules), routing, Books.NONE);
  }

  /**
   * The topology for {@code settings}, alerting on the rules in force in {@code rules} at each
   * evaluation (replaced while running when the rules file changes).
   */
  public static Topology build(
      ProcessorConfig config, Topics topics, LiveRules rules, Routing routing) {
    return build(config.topology(), topics, rules, routing, Books.NONE);
  }

  static Topology build(
      TopologySettings settings, Topics topics, LiveRules rules, Routing routing) {
    return build(settings, topics, rules, routing, Books.NONE);
  }

  /** As above, each task reporting its books and emissions to {@code books} (the metrics). */
  static Topology build(
      TopologySettings settings, Topics topics, LiveRules rules, Routing routing, Books books) {
    Topology topology = new Topology();
    for (Aggregation<?> aggregation : Families.all()) {
      add(topology, aggregation, topics, settings, rules, routing, books);
    }
    return topology;
  }

  private static <E extends SpecificRecord> void add(
      Topology topology,
      Aggregation<E> aggregation,
      Topics topics,
      TopologySettings settings,
      LiveRules rules,
      Routing routing,
      Books books) {
    Nodes n = Nodes.of(aggregation.family());
    String input = topics.events(aggregation.family()).name();
    String rerouted = routing.reroutedTopic(aggregation.family());
    int partitions = routing.partitions(aggregation.family());
    // Keys and values are read as bytes and decoded by the processor, so that a record that does
    // not decode is dead-lettered with its partition, offset and exact reason.
    Deserializer<byte[]> bytes = Serdes.ByteArray().deserializer();
    topology.addSource(n.source(), bytes, bytes, input);
    // Misrouted records come back through this topic, on the partition of the task that owns
    // their key: the same sub-topology, so the same task and stores as the input's partition.
    topology.addSource(n.reroutedSource(), bytes, bytes, rerouted);
    // The alert counters start at zero for the rules in force at build time; a rule added while
    // running gets its counters at its first alert.
    books.rules(
        aggregation.family(), rules.current().of(aggregation).stream().map(Rule::name).toList());
    topology.addProcessor(
        n.processor(),
        () ->
            new FamilyProcessor<>(
                aggregation, n, input, partitions, settings, rules, topics.format(), books),
        n.source(),
        n.reroutedSource());
    // Open windows, alert state and stats are small (open hours of the partition's keys), so they
    // live in memory, backed by their changelogs: a RocksDB instance each per task cost more than
    // the processing (BENCHMARKS.md). The dedup store is the large one and stays on disk.
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(n.windowsStore()), Serdes.String(), Serdes.ByteArray())
            .withCachingEnabled(),
        n.processor());
    // A window store, not a key-value store purged by a punctuator: expired segments are dropped
    // whole, so forgetting old event_ids costs nothing per id. No record cache: every event_id is
    // written once, so a cache would only evict (it cost half the processing time, BENCHMARKS.md).
    topology.addStateStore(
        Stores.windowStoreBuilder(
                Stores.persistentWindowStore(
                    n.dedupStore(), settings.dedupHorizon(), settings.dedupHorizon(), false),
                Serdes.String(),
                Serdes.Long())
            .withCachingDisabled(),
        n.processor());
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(n.alertsStore()), Serdes.String(), Serdes.ByteArray()),
        n.processor());
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(n.statsStore()), Serdes.String(), Serdes.ByteArray())
            .withCachingEnabled(),
        n.processor());
    // Closed hours' totals for the correction horizon (a day by default), so that a late event
    // re-evaluates the rules on its whole hour: one entry per key and hour, too many for memory,
    // so on disk, and a window store so that old hours leave with whole segments. Written once at
    // close and read only by late events: no cache.
    topology.addStateStore(
        Stores.windowStoreBuilder(
                Stores.persistentWindowStore(
                    n.closedHoursStore(),
                    settings.correctionHorizon(),
                    Duration.ofMillis(WindowState.HOUR_MS),
                    false),
                Serdes.String(),
                Serdes.ByteArray())
            .withCachingDisabled(),
        n.processor());
    topology.addSink(
        n.rollupsSink(),
        topics.rollups().name(),
        topics.rollups().keys().serializer(),
        topics.rollups().values().serializer(),
        n.processor());
    topology.addSink(
        n.alertsSink(),
        topics.alerts().name(),
        topics.alerts().keys().serializer(),
        topics.alerts().values().serializer(),
        n.processor());
    topology.addSink(
        n.deadLettersSink(),
        topics.deadLetters().name(),
        topics.deadLetters().keys().serializer(),
        topics.deadLetters().values().serializer(),
        n.processor());
    topology.addSink(
        n.statsSink(),
        topics.stats().name(),
        topics.stats().keys().serializer(),
        topics.stats().values().serializer(),
        n.processor());
    // The owner is computed here as in the processor, not left to the producer's partitioner, so
    // that the record lands on its owner's partition whatever the producer is configured with.
    topology.addSink(
        n.reroutedSink(),
        rerouted,
        Serdes.ByteArray().serializer(),
        Serdes.ByteArray().serializer(),
        (String topic, byte[] key, byte[] value, int count) ->
            Optional.of(Set.of(Routing.owner(key, count))),
        n.processor());
  }
}
