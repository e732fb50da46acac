package dev.hourglass.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Resident memory of this JVM and of other processes with their descendants (the embedded
 * PostgreSQL server and its backends), read from {@code /proc}. PSS (proportional set size) is the
 * honest total: PostgreSQL's shared buffers appear in the RSS of every backend that touched them,
 * but are counted once in the sum of PSS. Linux only; elsewhere every figure is 0.
 *
 * @param jvmPssKib this JVM
 * @param childrenPssKib the other processes and their descendants together
 * @param rssSumKib the plain sum of RSS over the same processes (counts shared pages repeatedly)
 */
record ProcessMemory(long jvmPssKib, long childrenPssKib, long rssSumKib) {
  /** This JVM, and {@code others} with their descendants (and this JVM's own descendants). */
  static ProcessMemory now(long... others) {
    ProcessHandle self = ProcessHandle.current();
    long jvm = kib(self.pid(), "Pss:");
    long rss = kib(self.pid(), "Rss:");
    Set<Long> pids = ProcessTree.descendantsOfSelf();
    for (long root : others) {
      pids.addAll(ProcessTree.of(root));
    }
    long children = 0;
    for (long pid : pids) {
      children += kib(pid, "Pss:");
      rss += kib(pid, "Rss:");
    }
    return new ProcessMemory(jvm, children, rss);
  }

  long totalPssKib() {
    return jvmPssKib + childrenPssKib;
  }

  /** A field of {@code /proc/<pid>/smaps_rollup} in KiB; 0 when the process is gone. */
  private static long kib(long pid, String field) {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"));
      for (String line : lines) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // A backend that exited between listing and reading; or not Linux.
      return 0;
    }
    return 0;
  }
}
