package dev.hourglass.avro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.events.TaskEvent;
import dev.hourglass.rollups.TaskRollup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The build's guard on schema evolution: every current schema must be released in {@code
 * src/main/avro/history/} and be backward and forward compatible with every earlier version.
 */
class SchemaEvolutionTest {

  static Stream<Class<? extends SpecificRecord>> types() {
    return KnownSchemas.TYPES.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  void shouldReadAndWriteEveryReleasedVersion(Class<? extends SpecificRecord> type) {
    Schema current = SpecificData.get().getSchema(type);
    List<Schema> released = history().get(current.getName());

    assertThat(released).as("released versions of %s", current.getName()).isNotEmpty();
    assertThat(EvolutionCheck.problems(current.getName(), current, released)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  void shouldReleaseEveryCurrentSchemaAsItsLatestVersion(Class<? extends SpecificRecord> type) {
    Schema current = SpecificData.get().getSchema(type);
    List<Schema> released = history().get(current.getName());
    Schema latest = released.get(released.size() - 1);

    assertThat(KnownSchemas.fingerprint(latest))
        .as(
            "%s changed since v%d: add it as history/%s.v%d.avsc and list it in history/index.txt",
            current.getName(), released.size(), current.getName(), released.size() + 1)
        .isEqualTo(KnownSchemas.fingerprint(current));
  }

  @Test
  void shouldNumberReleasedVersionsFromOneWithoutGaps() {
    List<String> files = SchemaHistory.index();
    List<Schema> schemas = SchemaHistory.released();
    Map<String, Integer> last = new LinkedHashMap<>();
    for (int i = 0; i < files.size(); i++) {
      String name = schemas.get(i).getName();
      int version = last.merge(name, 1, Integer::sum);
      assertThat(files.get(i)).isEqualTo(name + ".v" + version + ".avsc");
    }
    assertThat(last)
        .containsOnlyKeys(
            KnownSchemas.TYPES.stream()
                .map(type -> SpecificData.get().getSchema(type).getName())
                .toList());
    assertThat(last.get("TaskEvent")).isEqualTo(2);
  }

  @Test
  void shouldReportRequiredFieldAddedWithoutDefaultNamingTypeAndField() {
    Schema current = TaskEvent.getClassSchema();
    Schema broken =
        EvolvedSchemas.withField(
            current, new Schema.Field("region", Schema.create(Schema.Type.STRING)));

    assertThat(EvolutionCheck.problems("TaskEvent", broken, history().get("TaskEvent")))
        .containsExactly(
            "TaskEvent: the current schema cannot read records written with v1: field region:"
                + " READER_FIELD_MISSING_DEFAULT_VALUE (region) at /fields/14",
            "TaskEvent: the current schema cannot read records written with v2: field region:"
                + " READER_FIELD_MISSING_DEFAULT_VALUE (region) at /fields/14");
  }

  @Test
  void shouldReportChangedTypeOfNestedFieldBothWays() {
    Schema current = TaskRollup.getClassSchema();
    Schema measures = current.getField("measures").schema();
    Schema changedMeasures =
        replaceField(measures, "event_count", Schema.create(Schema.Type.STRING));
    Schema broken = replaceField(current, "measures", changedMeasures);

    assertThat(EvolutionCheck.problems("TaskRollup", broken, history().get("TaskRollup")))
        .containsExactly(
            "TaskRollup: the current schema cannot read records written with v1: field"
                + " measures.event_count: TYPE_MISMATCH (reader type: STRING not compatible with"
                + " writer type: LONG) at /fields/4/type/fields/0/type",
            "TaskRollup: readers on v1 cannot read records written with the current schema: field"
                + " measures.event_count: TYPE_MISMATCH (reader type: LONG not compatible with"
                + " writer type: STRING) at /fields/4/type/fields/0/type");
  }

  @Test
  void shouldAcceptOptionalFieldAddedWithDefault() {
    Schema current = TaskEvent.getClassSchema();
    Schema evolved =
        EvolvedSchemas.withField(
            current,
            new Schema.Field(
                "region",
                SchemaBuilder.unionOf().nullType().and().stringType().endUnion(),
                null,
                JsonProperties.NULL_VALUE));

    assertThat(EvolutionCheck.problems("TaskEvent", evolved, history().get("TaskEvent"))).isEmpty();
  }

  /** Released schemas by simple type name, v1 first. */
  private static Map<String, List<Schema>> history() {
    Map<String, List<Schema>> byType = new LinkedHashMap<>();
    for (Schema schema : SchemaHistory.released()) {
      byType.computeIfAbsent(schema.getName(), name -> new ArrayList<>()).add(schema);
    }
    return byType;
  }

  private static Schema replaceField(Schema record, String name, Schema type) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field field : record.getFields()) {
      fields.add(
          field.name().equals(name)
              ? new Schema.Field(field.name(), type)
              : new Schema.Field(field, field.schema()));
    }
    return Schema.createRecord(
        record.getName(), record.getDoc(), record.getNamespace(), false, fields);
  }
}
