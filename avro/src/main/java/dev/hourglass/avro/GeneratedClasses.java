package dev.hourglass.avro;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * A {@link SpecificData} that finds the generated class of each of our named types in a fixed map
 * built from {@link KnownSchemas#TYPES}. Avro 1.12 refuses to load any class by name that is not in
 * its trusted packages ({@code SecurityException: Forbidden dev.hourglass.events.TaskEvent}); this
 * model trusts exactly our generated classes, without changing JVM-wide settings that other
 * libraries share. The schemas it resolves always come from our schema store, never from the bytes.
 */
final class GeneratedClasses extends SpecificData {
  static final GeneratedClasses INSTANCE = new GeneratedClasses(KnownSchemas.TYPES);

  private final Map<String, Class<?>> byName;

  private GeneratedClasses(List<Class<? extends SpecificRecord>> types) {
    super(GeneratedClasses.class.getClassLoader());
    addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    Map<String, Class<?>> map = new HashMap<>();
    for (Class<? extends SpecificRecord> type : types) {
      Schema schema = SpecificData.get().getSchema(type);
      map.put(schema.getFullName(), type);
      for (Schema.Field field : schema.getFields()) {
        collect(field.schema(), type.getClassLoader(), map);
      }
    }
    this.byName = Map.copyOf(map);
  }

  private static void collect(Schema schema, ClassLoader loader, Map<String, Class<?>> map) {
    switch (schema.getType()) {
      case RECORD -> {
        if (!map.containsKey(schema.getFullName())) {
          map.put(schema.getFullName(), load(schema, loader));
          for (Schema.Field field : schema.getFields()) {
            collect(field.schema(), loader, map);
          }
        }
      }
      case ENUM, FIXED -> map.computeIfAbsent(schema.getFullName(), name -> load(schema, loader));
      case ARRAY -> collect(schema.getElementType(), loader, map);
      case MAP -> collect(schema.getValueType(), loader, map);
      case UNION -> schema.getTypes().forEach(branch -> collect(branch, loader, map));
      default -> {
        // Primitive types have no generated class.
      }
    }
  }

  private static Class<?> load(Schema schema, ClassLoader loader) {
    try {
      return Class.forName(SpecificData.getClassName(schema), false, loader);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("no generated class for " + schema.getFullName(), e);
    }
  }

  @Override
  public Class<?> getClass(Schema schema) {
    switch (schema.getType()) {
      case RECORD, ENUM, FIXED -> {
        Class<?> type = byName.get(schema.getFullName());
        if (type != null) {
          return type;
        }
      }
      default -> {
        // Not one of ours: Avro's own rules apply.
      }
    }
    return super.getClass(schema);
  }
}
