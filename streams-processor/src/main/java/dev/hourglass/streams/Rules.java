package dev.hourglass.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hourglass.contract.Family;
import dev.hourglass.rollups.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The alert rules, read from a YAML or JSON file (YAML is a superset of JSON, so one parser reads
 * both). Every problem in a file is reported at once, each naming the rule, the field and the rule
 * it breaks. The defaults ship as {@code dev/hourglass/streams/default-rules.yaml} and are
 * documented in streams-processor/README.md.
 */
public record Rules(List<Rule> rules) {
  static final String DEFAULT_RESOURCE = "dev/hourglass/streams/default-rules.yaml";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> FIELDS =
      Set.of("name", "family", "metric", "fire_above", "clear_below", "min_events", "severity");

  /** "task, agent or integration": the contract's family ids, for error messages. */
  private static final String FAMILY_IDS = familyIds();

  public Rules {
    rules = List.copyOf(rules);
  }

  /** The rules shipped with the processor. */
  public static Rules defaults() {
    try (InputStream in = Rules.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + DEFAULT_RESOURCE);
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), DEFAULT_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + DEFAULT_RESOURCE, e);
    }
  }

  /** The rules in {@code file} (YAML or JSON). */
  public static Rules load(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read rules file " + file, e);
    }
  }

  /**
   * Parses {@code text}: a mapping with a {@code rules} list of rule mappings.
   *
   * @throws IllegalArgumentException listing every problem
   */
  static Rules parse(String text, String source) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Invalid value "
              + source
              + " for configuration streams.rules.file: not YAML or JSON: "
              + e);
    }
    if (root == null || !root.isObject() || !root.path("rules").isArray()) {
      throw new IllegalArgumentException(
          "Invalid value "
              + source
              + " for configuration streams.rules.file: must be a mapping with a list named rules");
    }
    List<String> problems = new ArrayList<>();
    List<Rule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int index = 0;
    for (JsonNode node : root.path("rules")) {
      Rule rule = rule(node, "rules[" + index + "]", problems);
      if (rule != null && !names.add(rule.name())) {
        problems.add(
            "Invalid value "
                + rule.name()
                + " for configuration rules["
                + index
                + "].name: "
                + "duplicate rule name");
      } else if (rule != null) {
        rules.add(rule);
      }
      index++;
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "rules file "
              + source
              + " has "
              + problems.size()
              + " problem(s): "
              + String.join("; ", problems));
    }
    return new Rules(rules);
  }

  private static Rule rule(JsonNode node, String at, List<String> problems) {
    int before = problems.size();
    if (!node.isObject()) {
      problems.add("Invalid value " + node + " for configuration " + at + ": must be a mapping");
      return null;
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        problems.add(
            "Invalid value "
                + field
                + " for configuration "
                + at
                + ": unknown field, expected one of "
                + FIELDS.stream().sorted().toList());
      }
    }
    String name = text(node, "name", at, problems);
    if (name != null && !name.matches("[a-z0-9_]{1,64}")) {
      problems.add(
          "Invalid value "
              + name
              + " for configuration "
              + at
              + ".name: "
              + "must be 1 to 64 characters of a-z, 0-9 and _ (it is part of the alert key)");
    }
    String familyName = text(node, "family", at, problems);
    Aggregation<?> family =
        familyName == null
            ? null
            : Family.forId(familyName).<Aggregation<?>>map(Families::of).orElse(null);
    if (familyName != null && family == null) {
      problems.add(
          "Invalid value "
              + familyName
              + " for configuration "
              + at
              + ".family: "
              + "must be "
              + FAMILY_IDS);
    }
    String metricName = text(node, "metric", at, problems);
    Metric metric = null;
    if (metricName != null) {
      try {
        metric = Metric.valueOf(metricName.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        metric = null;
      }
      if (metric == null || (family != null && !family.metrics().contains(metric))) {
        problems.add(
            "Invalid value "
                + metricName
                + " for configuration "
                + at
                + ".metric: "
                + (family == null
                    ? "unknown metric"
                    : "family "
                        + family.family().id()
                        + " offers "
                        + family.metrics().stream().map(Metric::configName).sorted().toList()));
        metric = null;
      }
    }
    double fireAbove = number(node, "fire_above", at, problems);
    double clearBelow = number(node, "clear_below", at, problems);
    if (!Double.isNaN(fireAbove) && !Double.isNaN(clearBelow) && clearBelow > fireAbove) {
      problems.add(
          "Invalid value "
              + clearBelow
              + " for configuration "
              + at
              + ".clear_below: "
              + "must not be above fire_above "
              + fireAbove);
    }
    long minEvents = 1;
    if (node.has("min_events")) {
      JsonNode n = node.get("min_events");
      if (!n.canConvertToLong() || !n.isIntegralNumber() || n.asLong() < 1) {
        problems.add(
            "Invalid value "
                + n
                + " for configuration "
                + at
                + ".min_events: "
                + "must be a whole number >= 1");
      } else {
        minEvents = n.asLong();
      }
    }
    Severity severity = Severity.WARNING;
    if (node.has("severity")) {
      String s = node.get("severity").asText();
      try {
        severity = Severity.valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        problems.add(
            "Invalid value "
                + s
                + " for configuration "
                + at
                + ".severity: "
                + "must be info, warning or critical");
      }
    }
    if (problems.size() > before) {
      return null;
    }
    return new Rule(name, family, metric, fireAbove, clearBelow, minEvents, severity);
  }

  private static String text(JsonNode node, String field, String at, List<String> problems) {
    JsonNode n = node.get(field);
    if (n == null || !n.isTextual() || n.asText().isBlank()) {
      problems.add(
          "Invalid value " + n + " for configuration " + at + "." + field + ": required text");
      return null;
    }
    return n.asText();
  }

  private static double number(JsonNode node, String field, String at, List<String> problems) {
    JsonNode n = node.get(field);
    if (n == null || !n.isNumber() || !Double.isFinite(n.asDouble()) || n.asDouble() < 0) {
      problems.add(
          "Invalid value "
              + n
              + " for configuration "
              + at
              + "."
              + field
              + ": "
              + "required, a finite number >= 0");
      return Double.NaN;
    }
    return n.asDouble();
  }

  private static String familyIds() {
    List<String> ids = Arrays.stream(Family.values()).map(Family::id).toList();
    return ids.size() == 1
        ? ids.get(0)
        : String.join(", ", ids.subList(0, ids.size() - 1)) + " or " + ids.get(ids.size() - 1);
  }

  List<Rule> of(Aggregation<?> family) {
    return rules.stream().filter(r -> r.family() == family).toList();
  }
}
