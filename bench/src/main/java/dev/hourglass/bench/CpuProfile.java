package dev.hourglass.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where the CPU went during a benchmark phase: CPU time of this JVM's threads grouped by component
 * (by thread name), of its native threads (the JVM's collector and compilers, RocksDB's flushes and
 * compactions, named by Linux's {@code /proc/self/task}), the rest of the process's CPU time, and
 * the PostgreSQL processes. Sampled repeatedly (by the pipeline sampler), so that a thread that
 * ends during the phase, such as the load generator's or a closed processor's RocksDB threads,
 * keeps the time it had at its last sample. Thread-safe.
 */
final class CpuProfile {
  static final String STREAMS = "streams processor";
  static final String SINK = "sink";
  static final String LOAD = "load generator and its producer";
  static final String BENCH = "the benchmark's own sampling";
  static final String BROKER = "Kafka broker and other JVM threads";
  static final String GC = "JVM: garbage collection";
  static final String JIT = "JVM: JIT compilation";
  static final String ROCKSDB = "RocksDB flushes and compactions (processor's stores)";
  static final String JVM = "JVM: other native threads";
  static final String POSTGRES = "PostgreSQL processes";
  static final String CHILDREN = "sink processes (hourglass bench peers)";
  private static final String[] GROUPS = {
    STREAMS, ROCKSDB, SINK, LOAD, BENCH, BROKER, GC, JIT, JVM, POSTGRES, CHILDREN
  };

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final long postgresPid;
  private final Map<Long, String> groupOf = new HashMap<>();
  private final Map<Long, Long> first = new HashMap<>();
  private final Map<Long, Long> last = new HashMap<>();
  // Native threads by Linux thread id (another number space than Java's thread ids).
  private final Map<Long, String> nativeGroupOf = new HashMap<>();
  private final Map<Long, Long> nativeFirst = new HashMap<>();
  private final Map<Long, Long> nativeLast = new HashMap<>();
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
    nativeFirst.putAll(nativeLast);
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
    sampleNativeThreads();
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
    for (Map.Entry<Long, Long> e : nativeLast.entrySet()) {
      long used = e.getValue() - nativeFirst.getOrDefault(e.getKey(), 0L);
      n.merge(nativeGroupOf.get(e.getKey()), used, Long::sum);
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

  /**
   * Which native thread of this process does work worth its own line, by the name Linux shows
   * ({@code comm}, at most 15 characters), or null for the rest: Java threads (counted above by
   * their Java names) and the JVM's other native threads (its VM thread, JFR, signal handling).
   */
  static String nativeGroup(String comm) {
    if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
      return GC;
    }
    if (comm.startsWith("C1 CompilerThre")
        || comm.startsWith("C2 CompilerThre")
        || comm.equals("Sweeper thread")) {
      return JIT;
    }
    // RocksDB names its background threads rocksdb:low, rocksdb:high and rocksdb:bottom.
    if (comm.startsWith("rocksdb:")) {
      return ROCKSDB;
    }
    return null;
  }

  /** The CPU time of the native threads {@link #nativeGroup} names (Linux; nothing elsewhere). */
  private void sampleNativeThreads() {
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        long tid = Long.parseLong(task.getFileName().toString());
        // Named once: "" for a thread no line is kept for, so that its name is not read again.
        String group =
            nativeGroupOf.computeIfAbsent(
                tid, t -> Objects.requireNonNullElse(nativeGroup(comm(task)), ""));
        if (!group.isEmpty()) {
          long cpu = statNanos(task.resolve("stat"));
          if (cpu > 0) {
            nativeLast.put(tid, cpu);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux: the JVM's native threads stay in the rest of the process's time.
    }
  }

  /** A thread's name as Linux shows it, or "" once the thread has ended. */
  private static String comm(Path task) {
    try {
      return Files.readString(task.resolve("comm")).strip();
    } catch (IOException e) {
      return "";
    }
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
    return statNanos(Path.of("/proc", Long.toString(pid), "stat"));
  }

  /** utime + stime from a process's or thread's stat file, in nanoseconds (0 if unreadable). */
  private static long statNanos(Path file) {
    try {
      String stat = Files.readString(file);
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
