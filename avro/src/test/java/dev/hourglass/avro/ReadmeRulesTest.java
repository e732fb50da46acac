package dev.hourglass.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Clients in other languages code against the tables "Wire format" and "Validation" of
 * avro/README.md, so they must say what the code does. Each row's example messages are produced by
 * a case here that feeds exactly the documented input, each field a validation rule names has a
 * case, each case gets exactly its reason and message, and each reason code is documented: a row
 * added without a case, or a case the docs do not describe, fails the build.
 */
class ReadmeRulesTest {
  private static final Path README =
      Path.of("..").toAbsolutePath().normalize().resolve("avro/README.md");
  private static final String WIRE_HEADER =
      "| reason | when | message (after `REASON on topic T: `) |";
  private static final String VALIDATION_HEADER = "| code | rule | example message |";
  private static final String TOPIC = "hourglass.task-events";
  private static final EventValidator VALIDATOR =
      EventValidator.standard(Clock.fixed(Samples.NOW, ZoneOffset.UTC));
  private static final Pattern CODE = Pattern.compile("^`([A-Z_]+)`$");
  private static final Pattern EXAMPLE = Pattern.compile("`([^`]+)`");
  private static final Pattern WORD = Pattern.compile("[a-z_]+");

  /** One row of a README table: the reason code, the rule in words, the example messages. */
  record Row(String code, String rule, List<String> examples) {}

  /** Invalid input to the validator, and the violation it must give. */
  record Invalid(String code, String field, String message, SpecificRecord event) {
    @Override
    public String toString() {
      return code + " " + message;
    }
  }

  /** Bytes a typed {@code TaskEvent} deserializer must refuse, and how. */
  /** Bytes, what they must be refused with, and the schemas published to the reader. */
  record BadBytes(String code, String message, byte[] bytes, SchemaSource published) {
    BadBytes(String code, String message, byte[] bytes) {
      this(code, message, bytes, SchemaSource.NONE);
    }

    @Override
    public String toString() {
      return code + " " + message;
    }
  }

  static Stream<Invalid> invalidEvents() {
    String a40 = "a".repeat(40);
    return Stream.of(
        task("INVALID_REQUIRED", "event_id", "event_id: missing (null)", e -> e.setEventId(null)),
        agent("INVALID_REQUIRED", "event_id", "event_id: \"\" is empty", e -> e.setEventId("")),
        integration(
            "INVALID_REQUIRED",
            "occurred_at",
            "occurred_at: missing (null)",
            e -> e.put("occurred_at", null)),
        task(
            "INVALID_REQUIRED",
            "organization_id",
            "organization_id: \"\" is empty",
            e -> e.setOrganizationId("")),
        task(
            "INVALID_REQUIRED",
            "project_id",
            "project_id: missing (null)",
            e -> e.setProjectId(null)),
        task("INVALID_REQUIRED", "task_id", "task_id: \"\" is empty", e -> e.setTaskId("")),
        agent("INVALID_REQUIRED", "agent_id", "agent_id: \"\" is empty", e -> e.setAgentId("")),
        agent(
            "INVALID_REQUIRED", "agent_type", "agent_type: \"\" is empty", e -> e.setAgentType("")),
        agent(
            "INVALID_REQUIRED",
            "agent_task_id",
            "agent_task_id: missing (null)",
            e -> e.setAgentTaskId(null)),
        integration(
            "INVALID_REQUIRED",
            "integration_type",
            "integration_type: \"\" is empty",
            e -> e.setIntegrationType("")),
        integration(
            "INVALID_REQUIRED",
            "event_type",
            "event_type: missing (null)",
            e -> e.setEventType(null)),
        task("INVALID_REQUIRED", "kind", "kind: missing (null)", e -> e.setKind(null)),
        agent("INVALID_REQUIRED", "kind", "kind: missing (null)", e -> e.setKind(null)),
        integration("INVALID_REQUIRED", "status", "status: missing (null)", e -> e.setStatus(null)),
        task("INVALID_REQUIRED", "metadata", "metadata: missing (null)", e -> e.setMetadata(null)),
        task(
            "INVALID_REQUIRED",
            "metadata",
            "metadata: key missing (null)",
            e -> e.setMetadata(new HashMap<>(Collections.singletonMap(null, "x")))),
        task(
            "INVALID_REQUIRED",
            "metadata",
            "metadata: value of key \"team\" missing (null)",
            e -> e.setMetadata(new HashMap<>(Collections.singletonMap("team", null)))),
        task(
            "INVALID_UUID",
            "event_id",
            "event_id: \"F47AC10B-58CC-4372-A567-0E02B2C3D479\" is not a UUID",
            e -> e.setEventId("F47AC10B-58CC-4372-A567-0E02B2C3D479")),
        integration(
            "INVALID_UUID",
            "organization_id",
            "organization_id: \"abc\" is not a UUID",
            e -> e.setOrganizationId("abc")),
        agent(
            "INVALID_UUID",
            "project_id",
            "project_id: \"\" is not a UUID",
            e -> e.setProjectId("")),
        task(
            "INVALID_UUID",
            "task_id",
            "task_id: \"9c8b7a6d5e4f43219abcdef012345678\" is not a UUID",
            e -> e.setTaskId("9c8b7a6d5e4f43219abcdef012345678")),
        task(
            "INVALID_UUID",
            "assigned_to",
            "assigned_to: \"\" is not a UUID",
            e -> e.setAssignedTo("")),
        task(
            "INVALID_UUID",
            "execution_id",
            "execution_id: \"{6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a090}\" is not a UUID",
            e -> e.setExecutionId("{6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a090}")),
        agent(
            "INVALID_UUID",
            "agent_id",
            "agent_id: \"agent-7\" is not a UUID",
            e -> e.setAgentId("agent-7")),
        agent(
            "INVALID_UUID",
            "agent_task_id",
            "agent_task_id: \"2b3c4d5e-6f70-4819-a2b3-c4d5e6f7081g\" is not a UUID",
            e -> e.setAgentTaskId("2b3c4d5e-6f70-4819-a2b3-c4d5e6f7081g")),
        agent(
            "INVALID_NEGATIVE",
            "tokens_used",
            "tokens_used: -1 is negative",
            e -> e.setTokensUsed(-1)),
        agent(
            "INVALID_NEGATIVE",
            "cost_micros",
            "cost_micros: -5 is negative",
            e -> e.setCostMicros(-5)),
        agent(
            "INVALID_NEGATIVE",
            "duration_ms",
            "duration_ms: -40 is negative",
            e -> e.setDurationMs(-40L)),
        integration(
            "INVALID_NEGATIVE",
            "latency_ms",
            "latency_ms: -3 is negative",
            e -> e.setLatencyMs(-3)),
        task(
            "INVALID_NEGATIVE",
            "estimated_hours",
            "estimated_hours: -1.5 is negative",
            e -> e.setEstimatedHours(-1.5)),
        task(
            "INVALID_NEGATIVE",
            "actual_hours",
            "actual_hours: -0.25 is negative",
            e -> e.setActualHours(-0.25)),
        task(
            "INVALID_NOT_FINITE",
            "estimated_hours",
            "estimated_hours: NaN is not a finite number",
            e -> e.setEstimatedHours(Double.NaN)),
        task(
            "INVALID_NOT_FINITE",
            "actual_hours",
            "actual_hours: -Infinity is not a finite number",
            e -> e.setActualHours(Double.NEGATIVE_INFINITY)),
        agent(
            "INVALID_NOT_FINITE",
            "performance_score",
            "performance_score: Infinity is not a finite number",
            e -> e.setPerformanceScore(Double.POSITIVE_INFINITY)),
        task("INVALID_RANGE", "priority", "priority: 0 is outside 1..5", e -> e.setPriority(0)),
        task("INVALID_RANGE", "priority", "priority: 6 is outside 1..5", e -> e.setPriority(6)),
        agent(
            "INVALID_RANGE",
            "performance_score",
            "performance_score: 1.5 is outside [0, 1]",
            e -> e.setPerformanceScore(1.5)),
        agent(
            "INVALID_RANGE",
            "performance_score",
            "performance_score: -0.1 is outside [0, 1]",
            e -> e.setPerformanceScore(-0.1)),
        agent(
            "INVALID_RANGE",
            "cost_micros",
            "cost_micros: 1000000000000000000 is outside 0..999999999999999999",
            e -> e.setCostMicros(1_000_000_000_000_000_000L)),
        agent(
            "INVALID_TOO_LONG",
            "repository",
            "repository: \"" + "r".repeat(40) + "...\" is 513 characters (limit 512)",
            e -> e.setRepository("r".repeat(513))),
        task(
            "INVALID_TOO_LONG",
            "source",
            "source: \"" + "s".repeat(40) + "...\" is 513 characters (limit 512)",
            e -> e.setSource("s".repeat(513))),
        task(
            "INVALID_TOO_LONG",
            "metadata",
            "metadata: key \"" + "k".repeat(40) + "...\" is 513 characters (limit 512)",
            e -> e.setMetadata(Map.of("k".repeat(513), "v"))),
        task(
            "INVALID_TOO_LONG",
            "metadata",
            "metadata: value of key \"team\" is 513 characters (limit 512)",
            e -> e.setMetadata(Map.of("team", "v".repeat(513)))),
        task(
            "INVALID_TOO_LONG",
            "title",
            "title: \"" + a40 + "...\" is 501 characters (limit 500)",
            e -> e.setTitle("a".repeat(501))),
        task(
            "INVALID_TOO_LONG",
            "title",
            "title: \"" + a40 + "...\" is 513 characters (limit 500)",
            e -> e.setTitle("a".repeat(513))),
        agent(
            "INVALID_TOO_LONG",
            "agent_type",
            "agent_type: \"" + "t".repeat(40) + "...\" is 101 characters (limit 100)",
            e -> e.setAgentType("t".repeat(101))),
        integration(
            "INVALID_TOO_LONG",
            "integration_type",
            "integration_type: \"" + "g".repeat(40) + "...\" is 101 characters (limit 100)",
            e -> e.setIntegrationType("g".repeat(101))),
        integration(
            "INVALID_TOO_LONG",
            "event_type",
            "event_type: \"" + "e".repeat(40) + "...\" is 256 characters (limit 255)",
            e -> e.setEventType("e".repeat(256))),
        integration(
            "INVALID_PAYLOAD_TOO_LARGE",
            "payload",
            "payload: \"" + "p".repeat(40) + "...\" is 65537 bytes in UTF-8 (limit 65536)",
            e -> e.setPayload("p".repeat(65_537))),
        task(
            "INVALID_FUTURE_TIME",
            "occurred_at",
            "occurred_at: 2026-11-22T06:00:00Z is 3600000 ms ahead of the clock (limit 300000 ms)",
            e -> e.setOccurredAt(Instant.parse("2026-11-22T06:00:00Z"))));
  }

  static Stream<BadBytes> badBytes() throws IOException {
    TaskEvent task = Samples.task();
    task.setTitle("t".repeat(300));
    byte[] valid = SingleObjectFormat.standard().encode(task);
    assertThat(valid.length).as("the sample is longer than the cut").isGreaterThan(10 + 309);
    byte[] negativeLength = Arrays.copyOf(valid, 11);
    negativeLength[10] = 0x01; // zig-zag -1: event_id's length
    byte[] alert = SingleObjectFormat.standard().encode(Samples.alert());
    byte[] v3 = taskEventV3();
    return Stream.of(
        new BadBytes("NOT_SINGLE_OBJECT", "null value", null),
        new BadBytes(
            "NOT_SINGLE_OBJECT",
            "no single-object marker C3 01 at the start of 14 bytes",
            "{\"task\":\"x\"}\r\n".getBytes(StandardCharsets.US_ASCII)),
        new BadBytes("TRUNCATED", "header needs 10 bytes, got 6", Arrays.copyOf(valid, 6)),
        new BadBytes(
            "TRUNCATED",
            "body of 309 bytes ends before the dev.hourglass.events.TaskEvent does",
            Arrays.copyOf(valid, 10 + 309)),
        new BadBytes(
            "TRUNCATED",
            "body does not decode as dev.hourglass.events.TaskEvent:"
                + " org.apache.avro.AvroRuntimeException: Malformed data. Length is negative: -1",
            negativeLength),
        new BadBytes(
            "TRUNCATED",
            "3 trailing bytes after a dev.hourglass.events.TaskEvent",
            Arrays.copyOf(valid, valid.length + 3)),
        new BadBytes(
            "UNKNOWN_FINGERPRINT",
            "writer schema fingerprint "
                + String.format("%016x", fingerprintOf(v3))
                + " is not in the schema store",
            v3),
        refusedAsPublished(
            EvolvedSchemas.without(TaskEvent.getClassSchema(), "task_id"),
            "is refused: it is published, but dev.hourglass.events.TaskEvent written with it"
                + " cannot be read as this process's version: [READER_FIELD_MISSING_DEFAULT_VALUE"
                + " at /fields/4 (task_id)]"),
        refusedAsPublished(
            SchemaBuilder.record("Stranger")
                .namespace("elsewhere")
                .fields()
                .optionalString("n")
                .endRecord(),
            "is refused: it is published as elsewhere.Stranger, which is no type this process"
                + " reads"),
        new BadBytes("WRONG_TYPE", "expected TaskEvent, got dev.hourglass.rollups.Alert", alert));
  }

  /**
   * A record of {@code writer} (every field null or the sample's), with {@code writer} published.
   */
  private static BadBytes refusedAsPublished(Schema writer, String why) throws IOException {
    GenericRecord record = new GenericData.Record(writer);
    TaskEvent task = Samples.task();
    for (Schema.Field f : writer.getFields()) {
      Schema.Field same = TaskEvent.getClassSchema().getField(f.name());
      Object value = same == null ? null : task.get(same.pos());
      record.put(f.name(), value instanceof Instant at ? at.toEpochMilli() : value);
    }
    long fingerprint = KnownSchemas.fingerprint(writer);
    var out = new java.io.ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0xC3, 0x01});
    for (int i = 0; i < 8; i++) {
      out.write((int) (fingerprint >>> (8 * i)) & 0xFF);
    }
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(writer, SpecificData.get()).write(record, encoder);
    encoder.flush();
    return new BadBytes(
        "UNKNOWN_FINGERPRINT",
        "writer schema fingerprint " + String.format("%016x", fingerprint) + " " + why,
        out.toByteArray(),
        f -> f == fingerprint ? java.util.Optional.of(writer) : java.util.Optional.empty());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidEvents")
  void shouldGiveEachInvalidEventItsReasonFieldAndMessage(Invalid c) {
    assertThat(VALIDATOR.validate(c.event()))
        .contains(new Violation(c.code(), c.field(), c.message()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBytes")
  void shouldRefuseEachBadValueWithItsReasonAndMessage(BadBytes c) {
    BadRecordException e =
        catchThrowableOfType(
            BadRecordException.class,
            () ->
                AvroSerdes.serde(
                        TaskEvent.class,
                        new SingleObjectFormat(KnownSchemas.standard(c.published())))
                    .deserializer()
                    .deserialize(TOPIC, c.bytes()));

    assertThat(e).as("refused").isNotNull();
    assertThat(e.reason().name()).isEqualTo(c.code());
    assertThat(e).hasMessage(c.code() + " on topic " + TOPIC + ": " + c.message());
  }

  @Test
  void shouldProduceEveryExampleMessageOfTheValidationTable() throws IOException {
    List<String> missing = new ArrayList<>();
    for (Row row : table(VALIDATION_HEADER)) {
      for (String example : row.examples()) {
        if (invalidEvents()
            .noneMatch(c -> c.code().equals(row.code()) && matches(example, c.message()))) {
          missing.add(row.code() + " " + example);
        }
      }
    }
    assertThat(missing).as("examples without a case").isEmpty();
  }

  @Test
  void shouldHaveACaseForEveryFieldAValidationRuleNames() throws IOException {
    Set<String> fields = eventFields();
    Set<String> covered = new TreeSet<>();
    invalidEvents().forEach(c -> covered.add(c.code() + " " + c.field()));
    Set<String> named = new TreeSet<>();
    for (Row row : table(VALIDATION_HEADER)) {
      Matcher m = WORD.matcher(row.rule());
      while (m.find()) {
        if (fields.contains(m.group())) {
          named.add(row.code() + " " + m.group());
        }
      }
    }
    assertThat(named).as("fields the rules name").hasSizeGreaterThan(40);
    assertThat(covered).as("cases by code and field").containsAll(named);
    assertThat(named).as("rules naming each case's field").containsAll(covered);
  }

  @Test
  void shouldProduceEveryExampleMessageOfTheWireFormatTable() throws IOException {
    List<Row> rows = table(WIRE_HEADER);
    List<String> missing = new ArrayList<>();
    for (Row row : rows) {
      for (String example : row.examples()) {
        if (badBytes()
            .noneMatch(c -> c.code().equals(row.code()) && matches(example, c.message()))) {
          missing.add(row.code() + " " + example);
        }
      }
    }
    assertThat(missing).as("examples without a case").isEmpty();
    // Every case is some row's example: the docs describe every way the deserializer refuses.
    assertThat(badBytes())
        .allMatch(
            c ->
                rows.stream()
                    .anyMatch(
                        r ->
                            r.code().equals(c.code())
                                && r.examples().stream().anyMatch(x -> matches(x, c.message()))),
            "documented");
  }

  @Test
  void shouldDocumentEveryReasonCodeInItsTable() throws IOException {
    Set<String> validation = new LinkedHashSet<>();
    table(VALIDATION_HEADER).forEach(r -> validation.add(r.code()));
    Set<String> wire = new LinkedHashSet<>();
    table(WIRE_HEADER).forEach(r -> wire.add(r.code()));

    assertThat(validation)
        .containsExactlyInAnyOrder(
            Violation.INVALID_REQUIRED,
            Violation.INVALID_UUID,
            Violation.INVALID_NEGATIVE,
            Violation.INVALID_NOT_FINITE,
            Violation.INVALID_RANGE,
            Violation.INVALID_TOO_LONG,
            Violation.INVALID_PAYLOAD_TOO_LARGE,
            Violation.INVALID_FUTURE_TIME);
    assertThat(wire)
        .containsExactlyInAnyOrder(
            Stream.of(BadRecordException.Reason.values()).map(Enum::name).toArray(String[]::new));
  }

  @Test
  void shouldAcceptWhatTheRulesCallData() {
    // "an empty map, an empty key and an empty value are data, and accepted"; "optional ones may
    // be null".
    TaskEvent empty = Samples.task();
    empty.setMetadata(Map.of());
    TaskEvent emptyKeyAndValue = Samples.task();
    emptyKeyAndValue.setMetadata(Map.of("", "x", "team", ""));
    TaskEvent optionalNull = Samples.task();
    optionalNull.setAssignedTo(null);
    optionalNull.setExecutionId(null);
    AgentEvent agent = Samples.agent();
    agent.setProjectId(null);

    assertThat(
            Stream.of(empty, emptyKeyAndValue, optionalNull, agent)
                .map(VALIDATOR::validate)
                .filter(Optional::isPresent)
                .toList())
        .isEmpty();
  }

  @Test
  void shouldMatchAnExampleWithPlaceholdersAndFingerprintsOnly() {
    assertThat(matches("body does not decode as X: <Avro's error>", "body does not decode as X: e"))
        .isTrue();
    assertThat(matches("body does not decode as X: <Avro's error>", "body does not decode as Y: e"))
        .isFalse();
    assertThat(matches("fingerprint cf0d426d9f49c9d0 is", "fingerprint 0123456789abcdef is"))
        .isTrue();
    assertThat(matches("priority: 0 is outside 1..5", "priority: 0 is outside 1..6")).isFalse();
  }

  /**
   * Whether a case's message is the README's example: equal, except that {@code <...>} stands for
   * any text and a 16-digit fingerprint for any fingerprint (the documented one is a released
   * version's, which this process knows; FingerprintTableTest checks it is real).
   */
  static boolean matches(String example, String message) {
    StringBuilder regex = new StringBuilder();
    Matcher m = Pattern.compile("<[^>]+>|\\b[0-9a-f]{16}\\b").matcher(example);
    int at = 0;
    while (m.find()) {
      regex.append(Pattern.quote(example.substring(at, m.start())));
      regex.append(m.group().startsWith("<") ? ".+" : "[0-9a-f]{16}");
      at = m.end();
    }
    regex.append(Pattern.quote(example.substring(at)));
    return message.matches(regex.toString());
  }

  /** The rows of the table whose header line is {@code header}. */
  static List<Row> table(String header) throws IOException {
    List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
    int start = lines.indexOf(header);
    assertThat(start).as("the line %s in %s", header, README).isNotNegative();
    List<Row> rows = new ArrayList<>();
    for (int i = start + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      String line = lines.get(i);
      String[] cells = line.substring(1, line.length() - 1).split(" \\| ", -1);
      assertThat(cells).as("cells of %s", line).hasSize(3);
      Matcher code = CODE.matcher(cells[0].trim());
      assertThat(code.matches()).as("a code in %s", line).isTrue();
      List<String> examples = new ArrayList<>();
      Matcher example = EXAMPLE.matcher(cells[2]);
      while (example.find()) {
        examples.add(example.group(1));
      }
      assertThat(examples).as("example messages of %s", line).isNotEmpty();
      rows.add(new Row(code.group(1), cells[1], examples));
    }
    return rows;
  }

  private static Set<String> eventFields() {
    Set<String> fields = new TreeSet<>();
    for (Schema schema :
        List.of(
            TaskEvent.getClassSchema(),
            AgentEvent.getClassSchema(),
            IntegrationEvent.getClassSchema())) {
      schema.getFields().forEach(f -> fields.add(f.name()));
    }
    return fields;
  }

  /**
   * A {@code TaskEvent} written with a version this process was built without: the current schema
   * and an optional field, as a newer producer would write it.
   */
  private static byte[] taskEventV3() throws IOException {
    Schema v3 = EvolvedSchemas.withOptionalString(TaskEvent.getClassSchema(), "region");
    GenericRecord record = new GenericData.Record(v3);
    TaskEvent task = Samples.task();
    for (Schema.Field f : TaskEvent.getClassSchema().getFields()) {
      Object value = task.get(f.pos());
      record.put(f.name(), value instanceof Instant at ? at.toEpochMilli() : value);
    }
    record.put("region", "eu-west-1");
    var out = new java.io.ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0xC3, 0x01});
    long fingerprint = KnownSchemas.fingerprint(v3);
    for (int i = 0; i < 8; i++) {
      out.write((int) (fingerprint >>> (8 * i)) & 0xFF);
    }
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(v3, SpecificData.get()).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static long fingerprintOf(byte[] singleObject) {
    long fingerprint = 0;
    for (int i = 7; i >= 0; i--) {
      fingerprint = (fingerprint << 8) | (singleObject[2 + i] & 0xFFL);
    }
    return fingerprint;
  }

  private static Invalid task(String code, String field, String message, Consumer<TaskEvent> c) {
    TaskEvent e = Samples.task();
    c.accept(e);
    return new Invalid(code, field, message, e);
  }

  private static Invalid agent(String code, String field, String message, Consumer<AgentEvent> c) {
    AgentEvent e = Samples.agent();
    c.accept(e);
    return new Invalid(code, field, message, e);
  }

  private static Invalid integration(
      String code, String field, String message, Consumer<IntegrationEvent> c) {
    IntegrationEvent e = Samples.integration();
    c.accept(e);
    return new Invalid(code, field, message, e);
  }
}
