package dev.hourglass.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Resident memory of a process (and, for PostgreSQL, its backends) from {@code /proc}. */
final class Memory {
  private Memory() {}

  /** VmRSS of {@code pid} in bytes, 0 when it is gone or not readable. */
  static long rss(long pid) {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
      for (String line : lines) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
      return 0;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** VmRSS of {@code pid} and every descendant: a postmaster with its backends. */
  static long rssWithChildren(long pid) {
    return ProcessHandle.of(pid)
        .map(p -> Stream.concat(Stream.of(p), p.descendants()).mapToLong(h -> rss(h.pid())).sum())
        .orElse(0L);
  }
}
