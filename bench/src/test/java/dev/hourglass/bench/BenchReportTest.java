package dev.hourglass.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {
  @Test
  void shouldPrintAnAlignedMarkdownTable() {
    BenchReport report = new BenchReport("demo", Map.of(), "figure", "value");
    report.row("reference", "1,000 records/s");
    report.row("R", "0.5");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            String.join(
                System.lineSeparator(),
                "",
                "| figure    |           value |",
                "|-----------|-----------------|",
                "| reference | 1,000 records/s |",
                "| R         |             0.5 |",
                ""));
  }

  @Test
  void shouldRefuseARowOfTheWrongWidth() {
    BenchReport report = new BenchReport("demo", Map.of(), "figure", "value");
    assertThatThrownBy(() -> report.row("only one"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a row of demo needs 2 cells: [only one]");
  }

  @Test
  void shouldWriteFiguresMachineTableAndDataAsJson(@TempDir Path dir) throws IOException {
    BenchReport report = new BenchReport("demo", Map.of("cores", 2), "figure", "value");
    report.row("R", "0.5");
    report.figure("r", 0.5);
    report.data("runs", java.util.List.of(1, 2));
    report.chart(dir.resolve("demo.png"));

    JsonNode json = new ObjectMapper().readTree(report.writeJson(dir).toFile());

    assertThat(json.get("benchmark").asText()).isEqualTo("demo");
    assertThat(json.get("machine").get("cores").asInt()).isEqualTo(2);
    assertThat(json.get("figures").get("r").asDouble()).isEqualTo(0.5);
    assertThat(json.get("table").toString()).isEqualTo("[[\"figure\",\"value\"],[\"R\",\"0.5\"]]");
    assertThat(json.get("charts").toString()).isEqualTo("[\"demo.png\"]");
    assertThat(json.get("data").get("runs").toString()).isEqualTo("[1,2]");
  }

  @Test
  void shouldTakeTheMiddleValueOrTheMeanOfTheTwoMiddleOnes() {
    assertThat(BenchFormat.median(new double[] {3, 1, 2})).isEqualTo(2);
    assertThat(BenchFormat.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
  }
}
