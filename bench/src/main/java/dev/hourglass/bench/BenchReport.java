package dev.hourglass.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one {@code hourglass bench} command measured: a table for people (printed) and the same
 * figures, the machine and the raw series for tools ({@code <benchmark>.json}).
 */
final class BenchReport {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final String benchmark;
  private final Map<String, Object> machine;
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();
  private final Map<String, Object> figures = new LinkedHashMap<>();
  private final Map<String, Object> data = new LinkedHashMap<>();
  private final List<String> charts = new ArrayList<>();

  BenchReport(String benchmark, Map<String, Object> machine, String... header) {
    this.benchmark = benchmark;
    this.machine = machine;
    this.header = List.of(header);
  }

  /** One line of the table; as many cells as the header has columns. */
  void row(String... cells) {
    if (cells.length != header.size()) {
      throw new IllegalArgumentException(
          "a row of "
              + benchmark
              + " needs "
              + header.size()
              + " cells: "
              + Arrays.toString(cells));
    }
    rows.add(List.of(cells));
  }

  /** A result under its name in the JSON ({@code figures}). */
  void figure(String name, Object value) {
    figures.put(name, value);
  }

  /** Raw material under its name in the JSON ({@code data}): runs, series, histograms. */
  void data(String name, Object value) {
    data.put(name, value);
  }

  /** Records that a chart was drawn, so the JSON names it. */
  void chart(Path png) {
    charts.add(png.getFileName().toString());
  }

  void print(PrintStream out) {
    int[] widths = new int[header.size()];
    for (List<String> line : lines()) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], line.get(i).length());
      }
    }
    out.println();
    boolean first = true;
    for (List<String> line : lines()) {
      StringBuilder b = new StringBuilder("| ");
      for (int i = 0; i < widths.length; i++) {
        String cell = line.get(i);
        // Text to the left, numbers to the right, as a reader compares them.
        b.append(i == 0 ? pad(cell, widths[i]) : padLeft(cell, widths[i])).append(" | ");
      }
      out.println(b.toString().stripTrailing());
      if (first) {
        StringBuilder rule = new StringBuilder("|");
        for (int w : widths) {
          rule.append("-".repeat(w + 2)).append('|');
        }
        out.println(rule);
        first = false;
      }
    }
  }

  /** Writes {@code <benchmark>.json} into {@code dir} and returns its path. */
  Path writeJson(Path dir) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("benchmark", benchmark);
    all.put("machine", machine);
    all.put("figures", figures);
    all.put("table", lines());
    all.put("charts", charts);
    all.put("data", data);
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(benchmark + ".json");
      JSON.writeValue(file.toFile(), all);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the results into " + dir, e);
    }
  }

  private List<List<String>> lines() {
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    return all;
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(width - s.length());
  }

  private static String padLeft(String s, int width) {
    return " ".repeat(width - s.length()) + s;
  }
}
