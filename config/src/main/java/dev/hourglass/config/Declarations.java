package dev.hourglass.config;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;

/**
 * A component's settings, declared as data: Kafka's {@link ConfigDef} (name, type, default,
 * validator, importance, documentation) and what ConfigDef has no word for: open prefixes whose
 * keys pass through to a Kafka client, keys refused with a reason (a renamed key, a client setting
 * the component sets itself), and rules between two or more keys.
 *
 * <p>{@link #parse} is the one engine: it never stops at the first problem (as {@link
 * ConfigDef#parse} does) but reports them all in one {@link ConfigException}, one per line, sorted
 * by key, each as {@code Invalid value X for configuration Y: why}. A bad value is never replaced
 * by its default. Instances are immutable; the methods that add something return a new one.
 */
public final class Declarations {
  static final String MASKED = "<masked>";
  private static final String NOT_SET = "(not set)";

  private final ConfigDef def;
  private final Map<String, List<String>> open;
  private final Map<String, String> refused;
  private final List<Rule> rules;

  /** A rule between keys: {@code check} returns why {@code key} is wrong, or null. */
  private record Rule(String key, List<String> inputs, Function<Values, String> check) {}

  private record Problem(String key, String text) {}

  private Declarations(
      ConfigDef def,
      Map<String, List<String>> open,
      Map<String, String> refused,
      List<Rule> rules) {
    this.def = def;
    this.open = Map.copyOf(open);
    this.refused = Map.copyOf(refused);
    this.rules = List.copyOf(rules);
  }

  /** The keys of {@code def} (copied: later changes to it do not leak in). */
  public static Declarations of(ConfigDef def) {
    return new Declarations(new ConfigDef(def), Map.of(), Map.of(), List.of());
  }

  /**
   * Keys under any of {@code prefixes} pass through as text (read them with {@link
   * Values#passThrough}); {@code name} is how the documentation writes them, such as {@code
   * sink.consumer.*}.
   */
  public Declarations open(String name, String... prefixes) {
    Map<String, List<String>> more = new LinkedHashMap<>(open);
    more.put(name, List.of(prefixes));
    return new Declarations(def, more, refused, rules);
  }

  /** {@code key} is an error wherever it appears, saying {@code why}. */
  public Declarations refuse(String key, String why) {
    Map<String, String> more = new TreeMap<>(refused);
    more.put(key, why);
    return new Declarations(def, open, more, rules);
  }

  /** {@code oldKey} is an error that names the key which replaced it. */
  public Declarations renamed(String oldKey, String newKey) {
    return refuse(
        oldKey, "was renamed to " + newKey + (newKey.endsWith(".ms") ? " (milliseconds)" : ""));
  }

  /**
   * A rule about {@code key} that reads {@code inputs} as well; it is checked only when {@code key}
   * and every input have a valid value of their own, so that no problem is reported twice.
   *
   * @param check returns why the value of {@code key} is wrong, or null when it is right
   */
  public Declarations rule(String key, List<String> inputs, Function<Values, String> check) {
    List<Rule> more = new ArrayList<>(rules);
    more.add(new Rule(key, List.copyOf(inputs), check));
    return new Declarations(def, open, refused, more);
  }

  /**
   * Everything several components declare, for the unknown-key rule of a file they share.
   *
   * @throws IllegalStateException when two parts declare one key with different types or defaults
   */
  public static Declarations union(Declarations... parts) {
    ConfigDef def = new ConfigDef();
    Map<String, List<String>> open = new LinkedHashMap<>();
    Map<String, String> refused = new TreeMap<>();
    List<Rule> rules = new ArrayList<>();
    for (Declarations part : parts) {
      for (ConfigKey key : part.def.configKeys().values()) {
        ConfigKey seen = def.configKeys().get(key.name);
        if (seen == null) {
          def.define(key);
        } else if (seen.type != key.type || !Objects.equals(seen.defaultValue, key.defaultValue)) {
          throw new IllegalStateException(key.name + " is declared twice, differently");
        }
      }
      open.putAll(part.open);
      refused.putAll(part.refused);
      rules.addAll(part.rules);
    }
    return new Declarations(def, open, refused, rules);
  }

  /** A copy of the declared keys, for documentation and its tests. */
  public ConfigDef definition() {
    return new ConfigDef(def);
  }

  /** The open prefixes as the documentation writes them ({@code sink.consumer.*}). */
  public Set<String> openNames() {
    return open.keySet();
  }

  /** {@link #parse(Map, Declarations)} where these declarations are all there is. */
  public Values parse(Map<String, String> settings) {
    return parse(settings, this);
  }

  /**
   * Reads this component's keys from {@code settings}, checking every rule.
   *
   * @param settings keys and values as written (file, environment, or a caller's map)
   * @param known every declaration that reads the same settings, these included: a key it knows but
   *     these do not belong to another component and is skipped; a key it does not know is an error
   * @throws ConfigException naming every problem at once
   */
  public Values parse(Map<String, String> settings, Declarations known) {
    List<Problem> problems = new ArrayList<>();
    Map<String, String> passed = undeclared(settings, known, problems);
    Map<String, Object> parsed = declared(settings, problems);
    Values values = new Values(parsed, passed);
    for (Rule rule : rules) {
      boolean present = parsed.containsKey(rule.key) || passed.containsKey(rule.key);
      if (present && parsed.keySet().containsAll(rule.inputs)) {
        String why = rule.check.apply(values);
        if (why != null) {
          Object value = parsed.containsKey(rule.key) ? parsed.get(rule.key) : passed.get(rule.key);
          problems.add(problem(rule.key, shown(rule.key, value), why));
        }
      }
    }
    if (!problems.isEmpty()) {
      problems.sort(Comparator.comparing(Problem::key));
      throw new ConfigException(problems.stream().map(Problem::text).toList());
    }
    return values;
  }

  /** The settings under open prefixes; refused and unknown keys become problems. */
  private Map<String, String> undeclared(
      Map<String, String> settings, Declarations known, List<Problem> problems) {
    Map<String, String> passed = new TreeMap<>();
    settings.forEach(
        (key, text) -> {
          if (text == null || def.configKeys().containsKey(key)) {
            return;
          }
          String refusal = refused.getOrDefault(key, known.refused.get(key));
          if (refusal != null) {
            problems.add(problem(key, shown(key, text), refusal));
          } else if (isOpen(key)) {
            passed.put(key, text.trim());
          } else if (!known.knows(key)) {
            problems.add(problem(key, shown(key, text), "unknown key"));
          }
        });
    return passed;
  }

  /** Each declared key's value, typed and validated, or its default; problems for the rest. */
  private Map<String, Object> declared(Map<String, String> settings, List<Problem> problems) {
    Map<String, Object> parsed = new LinkedHashMap<>();
    for (ConfigKey key : def.configKeys().values()) {
      String text = settings.get(key.name);
      if (text == null && !key.hasDefault()) {
        problems.add(problem(key.name, NOT_SET, "required, no default"));
        continue;
      }
      Object value = key.defaultValue;
      if (text != null) {
        try {
          value = ConfigDef.parseType(key.name, text, key.type);
        } catch (org.apache.kafka.common.config.ConfigException e) {
          problems.add(problem(key.name, shown(key.name, text), typeProblem(key, text)));
          continue;
        }
      }
      try {
        if (key.validator != null) {
          key.validator.ensureValid(key.name, value);
        }
        parsed.put(key.name, value);
      } catch (org.apache.kafka.common.config.ConfigException e) {
        problems.add(new Problem(key.name, e.getMessage()));
      }
    }
    return parsed;
  }

  private boolean knows(String key) {
    return def.configKeys().containsKey(key) || refused.containsKey(key) || isOpen(key);
  }

  private boolean isOpen(String key) {
    return open.values().stream()
        .flatMap(List::stream)
        .anyMatch(prefix -> key.startsWith(prefix) && key.length() > prefix.length());
  }

  private static Problem problem(String key, Object value, String why) {
    return new Problem(key, ConfigException.invalid(key, value, why));
  }

  private static String typeProblem(ConfigKey key, String text) {
    return switch (key.type) {
      case SHORT, INT, LONG -> {
        String whole =
            key.name.endsWith(".ms")
                ? "must be a whole number of milliseconds"
                : "must be a whole number";
        if (!isWholeNumber(text)) {
          yield whole;
        }
        yield switch (key.type) {
          case SHORT -> whole + " from " + Short.MIN_VALUE + " to " + Short.MAX_VALUE;
          case INT -> whole + " from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
          default -> whole + " from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE;
        };
      }
      case DOUBLE -> "must be a number";
      case BOOLEAN -> "must be true or false";
      default -> "cannot be read as " + key.type;
    };
  }

  private static boolean isWholeNumber(String text) {
    try {
      new BigInteger(text.trim());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static Object shown(String key, Object value) {
    return isSecret(key) ? MASKED : value;
  }

  /**
   * Whether a key's value must never be printed: passwords ({@code jdbc.password}, any {@code
   * *.password}, and misspellings such as {@code jdbc.passwd} or {@code pwd}), secrets, JAAS
   * configurations and private keys ({@code *.key}).
   */
  public static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("pass")
        || k.contains("pwd")
        || k.contains("secret")
        || k.contains("jaas")
        || k.endsWith(".key");
  }

  /**
   * The effective settings for the start-up log, one {@code key = value} per line (each line
   * starting with a newline), secrets as {@code <masked>}.
   */
  public static String describe(Map<String, ?> settings) {
    StringBuilder b = new StringBuilder();
    settings.forEach(
        (key, value) ->
            b.append("\n  ").append(key).append(" = ").append(isSecret(key) ? MASKED : value));
    return b.toString();
  }
}
