package dev.hourglass.bench;

import dev.hourglass.bench.peers.ChildProcess;
import dev.hourglass.sink.SinkApp;
import dev.hourglass.sink.SinkConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Hourglass's sink in a process of its own for {@code hourglass bench peers}, as {@code hourglass
 * sink} runs it: its settings from the file the parent wrote; exits with status 1 when it fails.
 */
public final class SinkProcess {
  private SinkProcess() {}

  /** The settings a child sink runs with: {@code config}'s, every one of them. */
  static Properties settings(SinkConfig config) {
    Properties p = new Properties();
    config.settings().forEach(p::setProperty);
    return p;
  }

  /** args: the settings file, the ready marker ({@link ChildProcess}). */
  public static void main(String[] args) throws Exception {
    Properties p = ChildProcess.settings(args);
    Map<String, String> settings = new LinkedHashMap<>();
    p.stringPropertyNames().forEach(k -> settings.put(k, p.getProperty(k)));
    SinkApp sink = new SinkApp(SinkConfig.from(settings));
    // A supervisor's stop (SIGTERM) closes the sink as hourglass sink does.
    Runtime.getRuntime().addShutdownHook(new Thread(sink::close, "sink-process-stop"));
    sink.start();
    ChildProcess.awaitAssigned(ChildProcess.START_TIMEOUT);
    ChildProcess.ready(args, "sink");
    while (sink.failure().isEmpty()) {
      Thread.sleep(500);
    }
    System.err.println("the sink failed: " + sink.failure().get());
    Runtime.getRuntime().halt(1);
  }
}
