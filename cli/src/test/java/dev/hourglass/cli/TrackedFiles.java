package dev.hourglass.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The repository's tracked files ({@code git ls-files}), for tests that scan them. */
final class TrackedFiles {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private TrackedFiles() {}

  /** The tracked files whose bytes contain {@code text}. */
  static List<String> containing(String text) throws IOException, InterruptedException {
    Process git = new ProcessBuilder("git", "ls-files", "-z").directory(ROOT.toFile()).start();
    String listing = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!git.waitFor(60, TimeUnit.SECONDS) || git.exitValue() != 0) {
      throw new IllegalStateException("git ls-files failed in " + ROOT);
    }
    List<String> found = new ArrayList<>();
    for (String name : listing.split("\0")) {
      Path file = ROOT.resolve(name);
      if (!name.isEmpty()
          && Files.isRegularFile(file)
          && new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(text)) {
        found.add(name);
      }
    }
    return found;
  }
}
