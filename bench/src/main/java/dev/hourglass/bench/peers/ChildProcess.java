package dev.hourglass.bench.peers;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * A peer's sink component in an OS process of its own: the same java, class path and heap as the
 * benchmark, a main class reading its settings from a properties file, and a marker file it writes
 * once it runs. {@link #kill()} is a real SIGKILL: nothing the component would do on shutdown
 * happens.
 */
public final class ChildProcess implements AutoCloseable {
  private final String name;
  private final Path ready;
  private final Path log;
  private final Process process;

  private ChildProcess(String name, Path ready, Path log, Process process) {
    this.name = name;
    this.ready = ready;
    this.log = log;
    this.process = process;
  }

  /**
   * Starts {@code main} with {@code settings} (written to {@code dir}, readable by the owner only:
   * it holds the database password); its output goes to {@code dir/name.log}.
   */
  public static ChildProcess start(String name, Class<?> main, Properties settings, Path dir) {
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(name + ".properties");
      Files.deleteIfExists(file);
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (OutputStream out = Files.newOutputStream(file)) {
        settings.store(out, name);
      }
      Path ready = dir.resolve(name + ".ready");
      Files.deleteIfExists(ready);
      Path log = dir.resolve(name + ".log");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      // The same heap as the benchmark's JVM, where the other pipelines' sinks run.
      command.add("-Xmx" + Runtime.getRuntime().maxMemory() / (1024 * 1024) + "m");
      // The same logging as the benchmark.
      String logging = System.getProperty("log4j2.configurationFile");
      if (logging != null) {
        command.add("-Dlog4j2.configurationFile=" + logging);
      }
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(main.getName());
      command.add(file.toString());
      command.add(ready.toString());
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      return new ChildProcess(name, ready, log, p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  /** In the child: its settings, from the first argument. */
  public static Properties settings(String[] args) throws IOException {
    Properties p = new Properties();
    try (var in = Files.newInputStream(Path.of(args[0]))) {
      p.load(in);
    }
    return p;
  }

  /** In the child: tells the parent it runs (the second argument names the marker). */
  public static void ready(String[] args, String what) throws IOException {
    Files.writeString(Path.of(args[1]), what);
  }

  /**
   * In the child: waits until this JVM's group consumers have partitions assigned, as read from
   * their {@code assigned-partitions} metric. A consumer killed with SIGKILL does not leave its
   * group: its successor gets partitions only once the dead member's session has timed out, and the
   * parent counts the restart as done only then.
   */
  public static void awaitAssigned(Duration timeout) throws Exception {
    MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
    ObjectName coordinators = new ObjectName("kafka.consumer:type=consumer-coordinator-metrics,*");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Set<ObjectName> names = beans.queryNames(coordinators, null);
      boolean assigned = !names.isEmpty();
      for (ObjectName n : names) {
        Object partitions = beans.getAttribute(n, "assigned-partitions");
        assigned &= partitions instanceof Number p && p.doubleValue() > 0;
      }
      if (assigned) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("no partitions assigned within " + timeout);
  }

  /** Waits for the child's marker; throws when it exits first or {@code timeout} passes. */
  public void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(ready)) {
      check();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(name + " did not start within " + timeout + tail());
      }
      Thread.sleep(100);
    }
  }

  /** Throws when the child has exited. */
  public void check() {
    if (!process.isAlive()) {
      throw new IllegalStateException(name + " exited with status " + process.exitValue() + tail());
    }
  }

  public long pid() {
    return process.pid();
  }

  /** SIGKILL, and waits until it is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM, then SIGKILL after 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return "; the end of "
          + log
          + ":\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException | RuntimeException e) {
      return "; see " + log;
    }
  }

  /** How long a sink component may take to start. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(180);
}
