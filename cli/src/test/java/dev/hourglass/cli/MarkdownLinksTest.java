package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's documentation stands alone: a user who clones it finds every page that a
 * Markdown file links to, so no relative link may leave the repository, and none may point at a
 * file that is not there.
 */
class MarkdownLinksTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** An inline link or image {@code ](target)}, an optional title after the target. */
  private static final Pattern INLINE = Pattern.compile("\\]\\(\\s*<?([^)\\s>]+)>?[^)]*\\)");

  /** A reference definition {@code [label]: target}. */
  private static final Pattern REFERENCE =
      Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(\\s.*)?$");

  /** An HTML link or image. */
  private static final Pattern HTML = Pattern.compile("(?:href|src)\\s*=\\s*\"([^\"]+)\"");

  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

  @Test
  void shouldKeepEveryRelativeLinkOfEveryMarkdownFileInsideTheRepository() {
    assertThat(ROOT.resolve("pom.xml")).exists();
    assertThat(markdownFiles(ROOT)).contains(ROOT.resolve("README.md"));

    assertThat(problems(ROOT)).isEmpty();
  }

  @Test
  void shouldNameFileAndLineOfALinkThatEscapesTheRepositoryOrPointsAtNothing(@TempDir Path dir)
      throws IOException {
    Files.createDirectories(dir.resolve("docs"));
    Files.writeString(dir.resolve("docs/b.md"), "# b\n");
    Files.writeString(
        dir.resolve("README.md"),
        String.join(
            "\n",
            "# Title",
            "See [reliability](../shared/RELIABILITY.md) and [b](docs/b.md#part).",
            "```",
            "[in a code block](../ignored.md)",
            "```",
            "`[in code](../ignored.md)` and [web](https://kafka.apache.org/) and [top](#title)",
            "[ref]: ../../x.md",
            "<a href=\"docs/missing.md\">missing</a>",
            ""));
    Files.writeString(dir.resolve("docs/a.md"), "[up](../README.md), [out](../../y.md)\n");

    assertThat(problems(dir))
        .containsExactly(
            "README.md:2: ../shared/RELIABILITY.md leaves the repository",
            "README.md:7: ../../x.md leaves the repository",
            "README.md:8: docs/missing.md does not exist",
            "docs/a.md:1: ../../y.md leaves the repository");
  }

  /** Every bad relative link under {@code root}, as {@code file:line: target why}, in order. */
  static List<String> problems(Path root) {
    List<String> out = new ArrayList<>();
    for (Path file : markdownFiles(root)) {
      List<String> lines;
      try {
        lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      boolean fenced = false;
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        String trimmed = line.stripLeading();
        if (trimmed.startsWith("```") || trimmed.startsWith("~~~")) {
          fenced = !fenced;
          continue;
        }
        if (fenced) {
          continue;
        }
        // Code spans show links as text; they are not links.
        String text = line.replaceAll("`[^`]*`", "");
        for (String target : targets(text)) {
          String why = check(root, file, target);
          if (why != null) {
            out.add(root.relativize(file) + ":" + (i + 1) + ": " + target + " " + why);
          }
        }
      }
    }
    return out;
  }

  private static List<String> targets(String text) {
    List<String> out = new ArrayList<>();
    for (Pattern p : List.of(INLINE, REFERENCE, HTML)) {
      Matcher m = p.matcher(text);
      while (m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  /** Why {@code target}, linked from {@code file}, is wrong; null when it is fine or not local. */
  private static String check(Path root, Path file, String target) {
    if (target.startsWith("#") || SCHEME.matcher(target).find()) {
      return null;
    }
    String path = target.replaceAll("[#?].*$", "");
    if (path.isEmpty()) {
      return null;
    }
    Path resolved =
        path.startsWith("/")
            ? root.resolve(path.substring(1)).normalize()
            : file.getParent().resolve(path).normalize();
    if (!resolved.startsWith(root)) {
      return "leaves the repository";
    }
    return Files.exists(resolved) ? null : "does not exist";
  }

  /** The Markdown files under {@code root}, build output and hidden directories left out. */
  static List<Path> markdownFiles(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> p.toString().endsWith(".md"))
          .filter(p -> Files.isRegularFile(p))
          .filter(p -> !skipped(root.relativize(p)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean skipped(Path relative) {
    for (int i = 0; i < relative.getNameCount() - 1; i++) {
      String name = relative.getName(i).toString();
      if (name.startsWith(".") || name.equals("target") || name.equals("node_modules")) {
        return true;
      }
    }
    return false;
  }
}
