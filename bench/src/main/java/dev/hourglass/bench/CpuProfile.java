package dev.hourglass.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where the CPU went during a benchmark phase: CPU time of this JVM's threads grouped by component
 * (by thread name), the JVM's own work (garbage collection, JIT: the process's CPU time not charged
 * to any Java thread) and the PostgreSQL processes. Sampled repeatedly (by the pipeline sampler),
 * so that a thread that ends during the phase, such as the load generator's, keeps the time it had
 * at its last sample. Thread-safe.
 */
final class CpuProfile {
  static final String STREAMS = "streams processor";
  static final String SINK = "sink";
  static final String LOAD = "load generator and its producer";
  static final String BENCH = "the benchmark's own sampling";
  static final String BROKER = "Kafka broker and other JVM threads";
  static final String JVM = "JVM: GC, JIT (not in any Java thread)";
  static final String POSTGRES = "PostgreSQL processes";
  static final String CHILDREN = "sink processes (hourglass bench peers)";
  private static final String[] GROUPS = {
    STREAMS, SINK, LOAD, BENCH, BROKER, JVM, POSTGRES, CHILDREN
  };

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final long postgresPid;
  private final Map<Long, String> groupOf = new HashMap<>();
  private final Map<Long, Long> first = new HashMap<>();
  private final Map<Long, Long> last = new HashMap<>();
  private final long processFirst;
  private final long postgresFirst;
  private long processLast;
  private long postgresLast;
  // This JVM's child processes other than PostgreSQL's, by pid: the last CPU time each was seen
  // with, kept after it exits (a killed sink's time still counts), and what it had at the start.
  private final Map<Long, Long> childFirst = new HashMap<>();
  private final Map<Long, Long> childLast = new HashMap<>();

  /** Starts the profile: what every thread and process has used so far does not count. */
  CpuProfile(long postgresPid) {
    this.postgresPid = postgresPid;
    this.processFirst = processNanos();
    this.postgresFirst = processTreeNanos(postgresPid);
    sample();
    first.putAll(last);
    childFirst.putAll(childLast);
  }

  /** Reads every live thread's CPU time, and the process's and PostgreSQL's. */
  synchronized void sample() {
    for (long id : threads.getAllThreadIds()) {
      long cpu = threads.getThreadCpuTime(id);
      if (cpu < 0) {
        continue;
      }
      if (!groupOf.containsKey(id)) {
        ThreadInfo info = threads.getThreadInfo(id);
        if (info == null) {
          continue;
        }
        groupOf.put(id, group(info.getThreadName()));
      }
      last.put(id, cpu);
    }
    processLast = processNanos();
    postgresLast = processTreeNanos(postgresPid);
    Set<Long> postgres = ProcessTree.of(postgresPid);
    for (long pid : ProcessTree.descendantsOfSelf()) {
      if (!postgres.contains(pid)) {
        long cpu = processNanos(pid);
        if (cpu > 0) {
          childLast.put(pid, cpu);
        }
      }
    }
  }

  /** CPU seconds per component from the start to the latest {@link #sample}. */
  synchronized Map<String, Double> seconds() {
    Map<String, Long> n = new LinkedHashMap<>();
    for (String g : GROUPS) {
      n.put(g, 0L);
    }
    long threadTotal = 0;
    for (Map.Entry<Long, Long> e : last.entrySet()) {
      long used = e.getValue() - first.getOrDefault(e.getKey(), 0L);
      n.merge(groupOf.get(e.getKey()), used, Long::sum);
      threadTotal += used;
    }
    n.put(JVM, Math.max(0, processLast - processFirst - threadTotal));
    n.put(POSTGRES, Math.max(0, postgresLast - postgresFirst));
    long children = 0;
    for (Map.Entry<Long, Long> e : childLast.entrySet()) {
      children += e.getValue() - childFirst.getOrDefault(e.getKey(), 0L);
    }
    n.put(CHILDREN, children);
    Map<String, Double> seconds = new LinkedHashMap<>();
    n.forEach((k, v) -> seconds.put(k, v / 1e9));
    return seconds;
  }

  /** Which component a thread works for, by its name. */
  static String group(String thread) {
    if (thread.contains("StreamThread")) {
      return STREAMS;
    }
    if (thread.startsWith("hourglass-sink") || thread.contains("-sink")) {
      return SINK;
    }
    if (thread.contains("hourglass-load")) {
      return LOAD;
    }
    if (thread.startsWith("bench-")) {
      return BENCH;
    }
    return BROKER;
  }

  private static long processNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** utime + stime of a process and its descendants, in nanoseconds (Linux; 0 elsewhere). */
  private static long processTreeNanos(long root) {
    long nanos = 0;
    for (long pid : ProcessTree.of(root)) {
      nanos += processNanos(pid);
    }
    return nanos;
  }

  /** utime + stime of one process, in nanoseconds (Linux; 0 elsewhere or once it is gone). */
  private static long processNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name (which may hold spaces) start after the last ')'.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // USER_HZ is 100 on every Linux this runs on.
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    } catch (IOException | RuntimeException e) {
      // A process that exited meanwhile, or not Linux.
      return 0;
    }
  }
}
