package dev.hourglass.bench;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** The process ids of a process and all its descendants, for reading their /proc counters. */
final class ProcessTree {
  private ProcessTree() {}

  /** {@code root} and every live descendant of it (just {@code root} when it is gone). */
  static Set<Long> of(long root) {
    Set<Long> pids = new TreeSet<>();
    pids.add(root);
    ProcessHandle.of(root).ifPresent(h -> addDescendants(h, pids));
    return pids;
  }

  /** This JVM's descendants (not itself). */
  static Set<Long> descendantsOfSelf() {
    Set<Long> pids = new TreeSet<>();
    addDescendants(ProcessHandle.current(), pids);
    return pids;
  }

  private static void addDescendants(ProcessHandle h, Set<Long> pids) {
    try (Stream<ProcessHandle> all = h.descendants()) {
      all.forEach(p -> pids.add(p.pid()));
    }
  }
}
