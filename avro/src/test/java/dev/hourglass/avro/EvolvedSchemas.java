package dev.hourglass.avro;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

/** Versions of a record schema that a newer or a broken producer would write, for the tests. */
final class EvolvedSchemas {
  private EvolvedSchemas() {}

  /** {@code record} with {@code added} appended. */
  static Schema withField(Schema record, Schema.Field added) {
    List<Schema.Field> fields = copy(record.getFields());
    fields.add(added);
    return Schema.createRecord(
        record.getName(), record.getDoc(), record.getNamespace(), false, fields);
  }

  /** {@code record} with an optional string {@code name} (default null) appended. */
  static Schema withOptionalString(Schema record, String name) {
    return withField(
        record,
        new Schema.Field(
            name,
            SchemaBuilder.unionOf().nullType().and().stringType().endUnion(),
            null,
            JsonProperties.NULL_VALUE));
  }

  /** {@code record} without its field {@code name}. */
  static Schema without(Schema record, String name) {
    List<Schema.Field> fields = copy(record.getFields());
    fields.removeIf(f -> f.name().equals(name));
    return Schema.createRecord(
        record.getName(), record.getDoc(), record.getNamespace(), false, fields);
  }

  /** Fields cannot belong to two schemas: each is copied. */
  static List<Schema.Field> copy(List<Schema.Field> fields) {
    List<Schema.Field> out = new ArrayList<>();
    for (Schema.Field f : fields) {
      out.add(new Schema.Field(f, f.schema()));
    }
    return out;
  }
}
