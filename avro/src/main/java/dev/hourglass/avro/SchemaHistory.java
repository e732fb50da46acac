package dev.hourglass.avro;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Every released version of every schema, from {@code avro/history/} on the classpath (copied from
 * {@code src/main/avro/history/}). {@code index.txt} there lists the files, one per line.
 */
public final class SchemaHistory {
  private static final String DIR = "avro/history/";

  private SchemaHistory() {}

  /** All released schemas, oldest first within each type. */
  public static List<Schema> released() {
    List<Schema> schemas = new ArrayList<>();
    for (String file : index()) {
      try (InputStream in = resource(DIR + file)) {
        schemas.add(
            new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read schema history file " + file, e);
      }
    }
    return schemas;
  }

  /**
   * Released version {@code version} of the top-level type {@code simpleName} ({@code TaskEvent},
   * say), self-contained: what a client encodes with to write that version (Avro's {@code
   * BinaryMessageEncoder} writes the single-object encoding).
   *
   * @throws IllegalArgumentException when that version was never released
   */
  public static Schema version(String simpleName, int version) {
    String file = simpleName + ".v" + version + ".avsc";
    if (!index().contains(file)) {
      throw new IllegalArgumentException(
          simpleName + " v" + version + " was never released (released: " + index() + ")");
    }
    return released().get(index().indexOf(file));
  }

  static List<String> index() {
    try (InputStream in =
        SchemaHistory.class.getClassLoader().getResourceAsStream(DIR + "index.txt")) {
      if (in == null) {
        return List.of();
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .map(String::trim)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the schema history index", e);
    }
  }

  private static InputStream resource(String path) throws IOException {
    InputStream in = SchemaHistory.class.getClassLoader().getResourceAsStream(path);
    if (in == null) {
      throw new IOException("missing resource " + path);
    }
    return in;
  }
}
