package dev.hourglass.contract;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the string literals of a Java source that spell out a pipeline topic name. Comments and
 * character literals are skipped. A literal is a topic name when, for a base name of {@link
 * Topics#BASES}, it
 *
 * <ul>
 *   <li>ends with {@code .<base>}: a prefixed name, {@code "hourglass.rollups"};
 *   <li>is the base itself, and the base has a hyphen ({@code "dead-letters"}: no other name in the
 *       code looks like it), or the literal is an operand of {@code +} ({@code prefix + "alerts"}),
 *       or it is all a variable or constant is set to ({@code ROLLUPS = "rollups";}).
 * </ul>
 *
 * <p>So table names ({@code "task_rollups_hourly"}, {@code "FROM alerts"}), node names ({@code f +
 * "-dead-letters-sink"}), command and field names ({@code name = "alerts"}, {@code data("stats",
 * ...)}) and log text ({@code "stats topic " + topic}) are not flagged. A one-word base alone as a
 * method argument ({@code name("rollups")}) is not flagged either: the rule trades that for no
 * false positives.
 */
final class TopicLiterals {
  private TopicLiterals() {}

  /** A literal that spells out a topic name, at its line (1-based). */
  record Found(int line, String literal) {}

  static List<Found> find(String source, List<String> bases) {
    List<Found> found = new ArrayList<>();
    int line = 1;
    int i = 0;
    int n = source.length();
    // The last character of code before the current position, comments and blanks skipped.
    char previous = ' ';
    char beforePrevious = ' ';
    while (i < n) {
      char c = source.charAt(i);
      if (c == '\n') {
        line++;
        i++;
      } else if (source.startsWith("//", i)) {
        i = endOfLine(source, i);
      } else if (source.startsWith("/*", i)) {
        int end = source.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        line += count(source, i, end);
        i = end;
      } else if (c == '\'') {
        i = endOfQuoted(source, i, '\'');
        beforePrevious = previous;
        previous = '\'';
      } else if (c == '"') {
        boolean textBlock = source.startsWith("\"\"\"", i);
        int end = textBlock ? endOfTextBlock(source, i) : endOfQuoted(source, i, '"');
        String literal =
            textBlock
                ? source.substring(i + 3, Math.max(i + 3, end - 3))
                : source.substring(i + 1, end - 1);
        char next = nextCode(source, end);
        boolean concatenated =
            previous == '+' || (previous == '=' && beforePrevious == '+') || next == '+';
        boolean assigned = previous == '=' && "=!<>+".indexOf(beforePrevious) < 0 && next == ';';
        if (isTopicName(literal, concatenated || assigned, bases)) {
          found.add(new Found(line, literal));
        }
        line += count(source, i, end);
        i = end;
        beforePrevious = previous;
        previous = '"';
      } else {
        if (!Character.isWhitespace(c)) {
          beforePrevious = previous;
          previous = c;
        }
        i++;
      }
    }
    return found;
  }

  /**
   * @param used whether the literal is concatenated or assigned, which makes a one-word base a
   *     topic name rather than a word
   */
  static boolean isTopicName(String literal, boolean used, List<String> bases) {
    for (String base : bases) {
      if (literal.endsWith("." + base)) {
        return true;
      }
      if (literal.equals(base) && (base.contains("-") || used)) {
        return true;
      }
    }
    return false;
  }

  private static int endOfLine(String s, int from) {
    int end = s.indexOf('\n', from);
    return end < 0 ? s.length() : end;
  }

  /** The index after the closing quote of the literal opened at {@code from}. */
  private static int endOfQuoted(String s, int from, char quote) {
    int i = from + 1;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == quote || c == '\n') {
        return i + 1;
      } else {
        i++;
      }
    }
    return s.length();
  }

  private static int endOfTextBlock(String s, int from) {
    int i = from + 3;
    while (i < s.length()) {
      if (s.charAt(i) == '\\') {
        i += 2;
      } else if (s.startsWith("\"\"\"", i)) {
        return i + 3;
      } else {
        i++;
      }
    }
    return s.length();
  }

  /** The next character of code at or after {@code from}, blanks and comments skipped. */
  private static char nextCode(String s, int from) {
    int i = from;
    while (i < s.length()) {
      if (Character.isWhitespace(s.charAt(i))) {
        i++;
      } else if (s.startsWith("//", i)) {
        i = endOfLine(s, i);
      } else if (s.startsWith("/*", i)) {
        int end = s.indexOf("*/", i + 2);
        i = end < 0 ? s.length() : end + 2;
      } else {
        return s.charAt(i);
      }
    }
    return ' ';
  }

  private static int count(String s, int from, int to) {
    int lines = 0;
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == '\n') {
        lines++;
      }
    }
    return lines;
  }
}
