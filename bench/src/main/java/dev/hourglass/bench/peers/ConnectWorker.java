package dev.hourglass.bench.peers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The Kafka Connect worker of {@link StreamsDebeziumPeer} in a process of its own, as {@code
 * connect-standalone} runs: starts the worker (settings {@code worker.*} added to its own) and the
 * connector its settings name ({@code connector.*}), tells the parent it runs, and exits with
 * status 1 when the connector or a task fails.
 */
public final class ConnectWorker {
  static final String BOOTSTRAP = "bootstrap.servers";
  static final String CONNECTOR = "connector.";
  static final String WORKER = "worker.";

  private ConnectWorker() {}

  /** args: the settings file, the ready marker ({@link ChildProcess}). */
  public static void main(String[] args) throws Exception {
    Properties p = ChildProcess.settings(args);
    Map<String, String> connector = new LinkedHashMap<>();
    Map<String, String> worker = new LinkedHashMap<>();
    for (String key : p.stringPropertyNames()) {
      if (key.startsWith(CONNECTOR)) {
        connector.put(key.substring(CONNECTOR.length()), p.getProperty(key));
      } else if (key.startsWith(WORKER)) {
        worker.put(key.substring(WORKER.length()), p.getProperty(key));
      }
    }
    EmbeddedConnect connect = EmbeddedConnect.start(p.getProperty(BOOTSTRAP), worker);
    // A supervisor's stop (SIGTERM) stops the worker as connect-standalone does.
    Runtime.getRuntime().addShutdownHook(new Thread(connect::close, "connect-worker-stop"));
    String name = connector.get("name");
    connect.startConnector(name, connector, ChildProcess.START_TIMEOUT);
    ChildProcess.awaitAssigned(ChildProcess.START_TIMEOUT);
    ChildProcess.ready(args, name);
    while (true) {
      try {
        connect.failIfFailed(name);
      } catch (IllegalStateException e) {
        System.err.println(e.getMessage());
        Runtime.getRuntime().halt(1);
      }
      Thread.sleep(500);
    }
  }
}
