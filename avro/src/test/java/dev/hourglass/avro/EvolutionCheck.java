package dev.hourglass.avro;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Checks a current schema against released versions with Avro's {@link SchemaCompatibility}, both
 * ways, and words each incompatibility with the type, the version, the direction and the field.
 */
final class EvolutionCheck {
  private EvolutionCheck() {}

  /**
   * Every way {@code current} breaks readers or writers of {@code released} (index 0 is v1); empty
   * when compatible both ways with every version.
   */
  static List<String> problems(String type, Schema current, List<Schema> released) {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < released.size(); i++) {
      Schema old = released.get(i);
      String version = "v" + (i + 1);
      check(
          problems,
          type + ": the current schema cannot read records written with " + version,
          current,
          old);
      check(
          problems,
          type + ": readers on " + version + " cannot read records written with the current schema",
          old,
          current);
    }
    return problems;
  }

  private static void check(List<String> problems, String what, Schema reader, Schema writer) {
    var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
    if (result.getCompatibility() == SchemaCompatibilityType.COMPATIBLE) {
      return;
    }
    for (Incompatibility incompatibility : result.getIncompatibilities()) {
      problems.add(
          what
              + ": field "
              + field(reader, incompatibility.getLocation())
              + ": "
              + incompatibility.getType()
              + " ("
              + incompatibility.getMessage()
              + ") at "
              + incompatibility.getLocation());
    }
  }

  /**
   * The dotted field path that an incompatibility's JSON-pointer location ({@code
   * /fields/5/type/fields/0/type}) points at in the reader schema, for example {@code
   * measures.event_count}.
   */
  static String field(Schema reader, String location) {
    List<String> names = new ArrayList<>();
    Schema at = reader;
    String[] steps = location.split("/");
    try {
      for (int i = 0; i < steps.length; i++) {
        String step = steps[i];
        if (step.equals("fields") && i + 1 < steps.length) {
          Schema.Field field = at.getFields().get(Integer.parseInt(steps[++i]));
          names.add(field.name());
          at = field.schema();
        } else if (step.equals("items")) {
          at = at.getElementType();
        } else if (step.equals("values")) {
          at = at.getValueType();
        } else if (!step.isEmpty() && Character.isDigit(step.charAt(0)) && at.isUnion()) {
          at = at.getTypes().get(Integer.parseInt(step));
        }
      }
    } catch (RuntimeException e) {
      // A location this walk does not understand: the names found so far still help.
    }
    return names.isEmpty() ? "(the record itself)" : String.join(".", names);
  }
}
