package dev.hourglass.avro;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.temporal.TemporalAccessor;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificRecord;

/**
 * One-line JSON of any record, for terminal tools and logs: an object per record with the Avro
 * field names, timestamps as ISO-8601 text ({@code 2026-11-22T05:00:00Z}), enums by symbol name,
 * bytes as Base64, arrays (histograms) as JSON arrays, maps as objects, null as null. Doubles that
 * JSON cannot carry (NaN, infinities) are written as strings. It is a view, not a wire format:
 * there is no parser back.
 */
public final class JsonView {
  private static final JsonFactory FACTORY = new JsonFactory();

  private JsonView() {}

  /** {@code record} as one line of JSON. */
  public static String toJson(SpecificRecord record) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      write(json, record);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + record.getSchema().getFullName(), e);
    }
    return out.toString();
  }

  private static void write(JsonGenerator json, Object value) throws IOException {
    if (value == null) {
      json.writeNull();
    } else if (value instanceof IndexedRecord record) {
      json.writeStartObject();
      for (Schema.Field field : record.getSchema().getFields()) {
        json.writeFieldName(field.name());
        write(json, record.get(field.pos()));
      }
      json.writeEndObject();
    } else if (value instanceof CharSequence text) {
      json.writeString(text.toString());
    } else if (value instanceof Enum<?> symbol) {
      json.writeString(symbol.name());
    } else if (value instanceof GenericEnumSymbol<?> symbol) {
      json.writeString(symbol.toString());
    } else if (value instanceof Integer || value instanceof Long) {
      json.writeNumber(((Number) value).longValue());
    } else if (value instanceof Float || value instanceof Double) {
      json.writeNumber(((Number) value).doubleValue());
    } else if (value instanceof Number number) {
      // BigDecimal from a decimal logical type; none of our schemas has one today.
      json.writeNumber(number.toString());
    } else if (value instanceof Boolean bool) {
      json.writeBoolean(bool);
    } else if (value instanceof TemporalAccessor time) {
      json.writeString(time.toString());
    } else if (value instanceof ByteBuffer buffer) {
      ByteBuffer copy = buffer.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      json.writeString(Base64.getEncoder().encodeToString(bytes));
    } else if (value instanceof GenericFixed fixed) {
      json.writeString(Base64.getEncoder().encodeToString(fixed.bytes()));
    } else if (value instanceof Collection<?> items) {
      json.writeStartArray();
      for (Object item : items) {
        write(json, item);
      }
      json.writeEndArray();
    } else if (value instanceof Map<?, ?> map) {
      json.writeStartObject();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        json.writeFieldName(String.valueOf(entry.getKey()));
        write(json, entry.getValue());
      }
      json.writeEndObject();
    } else {
      json.writeString(value.toString());
    }
  }
}
