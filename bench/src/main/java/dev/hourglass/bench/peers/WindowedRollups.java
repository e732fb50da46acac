package dev.hourglass.bench.peers;

import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The hourly rollups as the Kafka Streams documentation teaches them: per family, {@code
 * groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(1 h, grace)).aggregate(...)}, and either every
 * update of a window ({@code continuous}) or only its final result once it closes ({@code
 * suppress(untilWindowCloses)}), written as Connect JSON rows to one topic per family for the
 * Debezium JDBC sink.
 *
 * <p>The events are keyed by organization, and every rollup row belongs to one organization, so the
 * aggregate is grouped by that key as it stands (an organization's hour holds its entities'
 * measures) and needs no repartition topic. Re-keying by (organization, entity) first would add
 * one, and a repartition topic interleaves the input partitions: with hours of event time sent in
 * seconds, the stream time of a task would then run ahead of partitions not yet read, and the DSL
 * would drop their records as late.
 *
 * <p>Reads the three event topics of {@code topics}; writes {@code output.apply(family)}. Bad
 * records fail in {@link ValidatingEventDeserializer}, for the deserialization exception handler.
 */
final class WindowedRollups {
  static final Duration HOUR = Duration.ofHours(1);

  private WindowedRollups() {}

  static Topology build(
      Topics topics, Duration grace, boolean suppress, Function<Family, String> output) {
    StreamsBuilder builder = new StreamsBuilder();
    Serde<SpecificRecord> events =
        Serdes.serdeFrom(
            (topic, event) -> {
              throw new UnsupportedOperationException("events are only read");
            },
            new ValidatingEventDeserializer());
    Serde<Map<String, long[]>> byEntity = Measures.byEntitySerde();
    for (Family family : Family.values()) {
      String name = family.id();
      ConnectJson json = new ConnectJson(family);
      KTable<Windowed<String>, Map<String, long[]>> hours =
          builder.stream(
                  topics.events(family).name(),
                  Consumed.with(Serdes.String(), events)
                      .withTimestampExtractor(new EventTime())
                      .withName(name + "-events"))
              .groupByKey(Grouped.with(name + "-by-organization", Serdes.String(), events))
              .windowedBy(TimeWindows.ofSizeAndGrace(HOUR, grace))
              .aggregate(
                  TreeMap::new,
                  (org, event, hour) ->
                      Measures.add(hour, family.entityKey(event), Measures.of(family, event)),
                  Named.as(name + "-hours"),
                  Materialized.<String, Map<String, long[]>, WindowStore<Bytes, byte[]>>as(
                          name + "-hours")
                      .withKeySerde(Serdes.String())
                      .withValueSerde(byEntity));
      if (suppress) {
        hours =
            hours.suppress(
                Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded())
                    .withName(name + "-final"));
      }
      hours
          .toStream(Named.as(name + "-hour-updates"))
          .flatMap(
              (window, hour) -> {
                List<KeyValue<String, String>> rows = new ArrayList<>(hour.size());
                hour.forEach(
                    (entity, m) ->
                        rows.add(
                            KeyValue.pair(
                                json.key(window.key(), entity, window.window().start()),
                                json.value(m))));
                return rows;
              },
              Named.as(name + "-rows"))
          .to(output.apply(family), Produced.with(Serdes.String(), Serdes.String()));
    }
    return builder.build();
  }
}
