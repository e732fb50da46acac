package dev.hourglass.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.hourglass.avro.BadRecordException;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@HourglassIT
class LoadGeneratorIT {
  private static final int N = 3_000;

  @Test
  void shouldAcknowledgeLedgerAndDeliverEverySendWithExactFaultCounts(
      TestKafka kafka, @TempDir Path dir) throws Exception {
    kafka.createTopics(3, "task-events", "agent-events", "integration-events", "schemas");
    Path ledger = dir.resolve("ledger.jsonl");
    LoadGeneratorOptions options =
        new LoadGeneratorOptions(
            kafka.bootstrapServers(),
            kafka.topic(""),
            N,
            0,
            null,
            99,
            LoadGeneratorOptions.DEFAULT_ORGS,
            3,
            0.01,
            0.02,
            0.03,
            0.04,
            0.05,
            0.06,
            ledger,
            Path.of(ledger + ".failed"),
            LoadGeneratorOptions.DEFAULT_GRACE,
            LoadGeneratorOptions.MIN_EVENT_SPAN,
            null);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    LoadSummary summary =
        new LoadGenerator(options).run(new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(Files.readAllLines(Path.of(ledger + ".failed"))).isEmpty();
    assertThat(summary.sent()).isEqualTo(N);
    assertThat(summary.acknowledged()).isEqualTo(N);
    assertThat(summary.failed()).isZero();
    assertThat(summary.injected())
        .isEqualTo(
            Map.of(
                "none", 2_370L,
                "late", 30L,
                "out_of_order", 60L,
                "invalid", 90L,
                "poison", 120L,
                "duplicate", 150L,
                "misrouted", 180L));
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .startsWith("sent 3000, acknowledged 3000, failed 0, ");

    List<Map<String, String>> lines = new ArrayList<>();
    for (String line : Files.readAllLines(ledger, StandardCharsets.UTF_8)) {
      lines.add(parse(line));
    }
    assertThat(lines).hasSize(N);
    Map<String, Integer> injected = new HashMap<>();
    lines.forEach(l -> injected.merge(l.get("injected"), 1, Integer::sum));
    assertThat(injected)
        .isEqualTo(
            Map.of(
                "none", 2_370,
                "late", 30,
                "out_of_order", 60,
                "invalid", 90,
                "poison", 120,
                "duplicate", 150,
                "misrouted", 180));

    // Every ledger line is a record on its topic, at its offset, with its key.
    Map<String, Map<String, String>> byPosition = new HashMap<>();
    for (Map<String, String> l : lines) {
      byPosition.put(l.get("topic") + "/" + l.get("partition") + "/" + l.get("offset"), l);
    }
    assertThat(byPosition).hasSize(N);
    SingleObjectFormat format = SingleObjectFormat.standard();
    int records = 0;
    int poison = 0;
    for (String base : List.of("task-events", "agent-events", "integration-events")) {
      String topic = kafka.topic(base);
      for (ConsumerRecord<String, byte[]> r : kafka.records(topic)) {
        Map<String, String> line = byPosition.get(topic + "/" + r.partition() + "/" + r.offset());
        assertThat(line)
            .as("ledger line of %s-%d@%d", topic, r.partition(), r.offset())
            .isNotNull();
        assertThat(r.key()).isEqualTo(line.get("organization_id"));
        if (line.get("injected").equals("poison")) {
          try {
            format.decode(topic, r.value());
            throw new AssertionError("poison decoded at " + r);
          } catch (BadRecordException e) {
            assertThat(e.reason().name()).isEqualTo(line.get("expected_reason"));
          }
          poison++;
        } else {
          assertThat(EventGeneratorTest.eventId(format.decode(topic, r.value())))
              .isEqualTo(line.get("event_id"));
        }
        records++;
      }
    }
    assertThat(records).isEqualTo(N);
    assertThat(poison).isEqualTo(120);

    // The publisher puts an organization's events on one partition of each topic; a misrouted
    // event of that organization is on another one.
    Map<String, String> owner = new HashMap<>();
    for (Map<String, String> l : lines) {
      if (l.get("injected").equals("none")) {
        String where = l.get("topic") + "|" + l.get("organization_id");
        assertThat(owner.putIfAbsent(where, l.get("partition")))
            .as("partition of %s", where)
            .isIn(null, l.get("partition"));
      }
    }
    int misrouted = 0;
    for (Map<String, String> l : lines) {
      String where = l.get("topic") + "|" + l.get("organization_id");
      if (l.get("injected").equals("misrouted")) {
        assertThat(owner).as("organizations on %s", l.get("topic")).containsKey(where);
        assertThat(l.get("partition")).as("misrouted %s", where).isNotEqualTo(owner.get(where));
        misrouted++;
      }
    }
    assertThat(misrouted).isEqualTo(180);
  }

  private static Map<String, String> parse(String line) throws Exception {
    Map<String, String> out = new HashMap<>();
    try (JsonParser p = new JsonFactory().createParser(line)) {
      assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        out.put(name, p.getValueAsString());
      }
    }
    return out;
  }
}
