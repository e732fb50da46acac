package dev.hourglass.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * Clients in other languages copy their header bytes from the fingerprint table of {@code
 * docs/clients.md}, so a wrong digit there would dead-letter every event they send: the table must
 * list exactly the released schema versions, with the fingerprints and headers the code computes.
 */
class FingerprintTableTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String HEADER_ROW =
      "| type | version | fingerprint | header bytes | current |";
  private static final Pattern ROW =
      Pattern.compile(
          "^\\| `(\\w+)` \\| v(\\d+) \\| `([0-9a-f]{16})` \\| `([0-9A-F ]+)` \\| (yes|no) \\|$");
  private static final Pattern EXAMPLE =
      Pattern.compile("writer schema fingerprint ([0-9a-f]{16}) is not in the schema store");

  /** One row of the table, as written. */
  record Row(String type, int version, String fingerprint, String header, boolean current) {}

  @Test
  void shouldListEveryReleasedVersionWithTheFingerprintAndHeaderTheCodeComputes()
      throws IOException {
    assertThat(table(read("docs/clients.md"))).containsExactlyElementsOf(expected());
  }

  @Test
  void shouldWriteTheHeaderOfTheCurrentVersionThatTheTableShows() throws IOException {
    Map<String, String> currentHeaders = new HashMap<>();
    for (Row row : table(read("docs/clients.md"))) {
      if (row.current()) {
        currentHeaders.put(row.type(), row.header());
      }
    }
    for (SpecificRecord record : Samples.everyType()) {
      byte[] bytes = SingleObjectFormat.standard().encode(record);
      assertThat(hex(bytes, 10))
          .as("header of %s", record.getSchema().getName())
          .isEqualTo(currentHeaders.get(record.getSchema().getName()));
    }
  }

  @Test
  void shouldShowARealFingerprintInEveryExampleErrorMessage() throws IOException {
    List<String> fingerprints =
        table(read("docs/clients.md")).stream().map(Row::fingerprint).toList();
    for (String doc : List.of("avro/README.md", "docs/clients.md")) {
      Matcher m = EXAMPLE.matcher(read(doc).replace('\n', ' '));
      int examples = 0;
      while (m.find()) {
        examples++;
        assertThat(m.group(1)).as("example fingerprint in %s", doc).isIn(fingerprints);
      }
      assertThat(examples).as("example messages in %s", doc).isEqualTo(1);
    }
  }

  @Test
  void shouldReadEveryRowOfTheTableAndRefuseAMalformedOne() {
    String doc =
        String.join(
            "\n",
            "text",
            HEADER_ROW,
            "|---|---|---|---|---|",
            "| `TaskEvent` | v1 | `5fe4ef0bff2b0192` | `C3 01 92 01 2B FF 0B EF E4 5F` | no |",
            "| `TaskEvent` | v2 | `cf0d426d9f49c9d0` | `C3 01 D0 C9 49 9F 6D 42 0D CF` | yes |",
            "",
            "| `NotInTheTable` | v1 | `0000000000000000` | `C3 01` | yes |");

    assertThat(table(doc))
        .containsExactly(
            new Row("TaskEvent", 1, "5fe4ef0bff2b0192", "C3 01 92 01 2B FF 0B EF E4 5F", false),
            new Row("TaskEvent", 2, "cf0d426d9f49c9d0", "C3 01 D0 C9 49 9F 6D 42 0D CF", true));
    assertThat(table(doc.replace("| v2 |", "| 2 |")).get(1).type())
        .startsWith("malformed: | `TaskEvent` | 2 | `cf0d426d9f49c9d0` |");
  }

  /** Every released version, in the history's order, as the table must show it. */
  private static List<Row> expected() {
    Map<String, Long> currentByName = new LinkedHashMap<>();
    for (Class<? extends SpecificRecord> type : KnownSchemas.TYPES) {
      Schema schema = SpecificData.get().getSchema(type);
      currentByName.put(schema.getFullName(), KnownSchemas.fingerprint(schema));
    }
    List<Row> rows = new ArrayList<>();
    Map<String, Integer> versions = new HashMap<>();
    for (Schema schema : SchemaHistory.released()) {
      long fingerprint = KnownSchemas.fingerprint(schema);
      byte[] header = new byte[10];
      header[0] = (byte) 0xC3;
      header[1] = 0x01;
      for (int i = 0; i < 8; i++) {
        header[2 + i] = (byte) (fingerprint >>> (8 * i));
      }
      rows.add(
          new Row(
              schema.getName(),
              versions.merge(schema.getName(), 1, Integer::sum),
              String.format("%016x", fingerprint),
              hex(header, 10),
              Long.valueOf(fingerprint).equals(currentByName.get(schema.getFullName()))));
    }
    // SchemaEvolutionTest keeps each current schema released; this keeps the table's "yes" honest.
    assertThat(rows.stream().filter(Row::current).count()).isEqualTo(KnownSchemas.TYPES.size());
    return rows;
  }

  /** The rows of the fingerprint table: the block of lines starting with {@code |} after it. */
  static List<Row> table(String doc) {
    List<String> lines = doc.lines().toList();
    int start = lines.indexOf(HEADER_ROW);
    assertThat(start).as("the line %s", HEADER_ROW).isNotNegative();
    List<Row> rows = new ArrayList<>();
    for (int i = start + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      Matcher m = ROW.matcher(lines.get(i));
      if (m.matches()) {
        rows.add(
            new Row(
                m.group(1),
                Integer.parseInt(m.group(2)),
                m.group(3),
                m.group(4),
                m.group(5).equals("yes")));
      } else {
        String cut = lines.get(i).substring(0, Math.min(50, lines.get(i).length()));
        rows.add(new Row("malformed: " + cut, 0, "", "", false));
      }
    }
    return rows;
  }

  private static String hex(byte[] bytes, int count) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < count; i++) {
      out.append(i == 0 ? "" : " ").append(String.format("%02X", bytes[i] & 0xFF));
    }
    return out.toString();
  }

  private static String read(String path) throws IOException {
    return Files.readString(ROOT.resolve(path), StandardCharsets.UTF_8);
  }
}
