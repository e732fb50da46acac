package dev.hourglass.bench.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;

/**
 * A Kafka Connect worker in this JVM, as {@code connect-standalone} runs one: a standalone herder,
 * its REST server on a free loopback port, connector offsets of sink connectors in their consumer
 * group (the file store holds source offsets only, of which there are none).
 */
final class EmbeddedConnect implements AutoCloseable {
  private final Connect<StandaloneHerder> connect;
  private final Path offsets;

  private EmbeddedConnect(Connect<StandaloneHerder> connect, Path offsets) {
    this.connect = connect;
    this.offsets = offsets;
  }

  /** Starts a worker on {@code bootstrapServers}; {@code settings} add to or replace its own. */
  static EmbeddedConnect start(String bootstrapServers, Map<String, String> settings) {
    Path offsets;
    try {
      offsets = Files.createTempFile("hourglass-peers-connect", ".offsets");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the Connect offsets file", e);
    }
    Map<String, String> w = new LinkedHashMap<>(workerSettings(bootstrapServers, offsets));
    w.putAll(settings);
    Connect<StandaloneHerder> connect = new ConnectStandalone().startConnect(w);
    return new EmbeddedConnect(connect, offsets);
  }

  /** The worker's settings; each non-default one says why. */
  static Map<String, String> workerSettings(String bootstrapServers, Path offsets) {
    Map<String, String> w = new LinkedHashMap<>();
    w.put("bootstrap.servers", bootstrapServers);
    // Required in standalone mode; sink connectors keep their offsets in their consumer group.
    w.put("offset.storage.file.filename", offsets.toString());
    // The records carry their schema ({"schema", "payload"}): the JDBC sink needs typed fields.
    w.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
    w.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    // The REST server on a free loopback port: nothing outside this machine talks to it.
    w.put("listeners", "http://127.0.0.1:0");
    // Plugins from their service manifests (KIP-898), as Kafka recommends: no classpath scan.
    w.put("plugin.discovery", "service_load");
    // The topics are written by an exactly-once Kafka Streams application: read committed
    // records only, or aborted (later retried) updates reach PostgreSQL.
    w.put("consumer.isolation.level", "read_committed");
    return w;
  }

  /** Creates {@code name} with {@code config} and waits until its tasks run. */
  void startConnector(String name, Map<String, String> config, Duration timeout) {
    FutureCallback<Herder.Created<ConnectorInfo>> created = new FutureCallback<>();
    connect.herder().putConnectorConfig(name, config, false, created);
    await(created, timeout, "create connector " + name);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      ConnectorStateInfo state = connect.herder().connectorStatus(name);
      boolean running =
          state.connector().state().equals("RUNNING")
              && !state.tasks().isEmpty()
              && state.tasks().stream().allMatch(t -> t.state().equals("RUNNING"));
      if (running) {
        return;
      }
      failIfFailed(name);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting " + name, e);
      }
    }
    throw new IllegalStateException(
        "connector " + name + " not running after " + timeout + ": " + status(name));
  }

  /** Throws when the connector or one of its tasks has failed, with the worker's trace. */
  void failIfFailed(String name) {
    ConnectorStateInfo state = connect.herder().connectorStatus(name);
    if (state.connector().state().equals("FAILED")) {
      throw new IllegalStateException(
          "connector " + name + " failed: " + state.connector().trace());
    }
    for (ConnectorStateInfo.TaskState t : state.tasks()) {
      if (t.state().equals("FAILED")) {
        throw new IllegalStateException(
            "connector " + name + " task " + t.id() + " failed: " + t.trace());
      }
    }
  }

  private String status(String name) {
    ConnectorStateInfo state = connect.herder().connectorStatus(name);
    return state.connector().state()
        + ", tasks "
        + state.tasks().stream().map(t -> t.state()).toList();
  }

  private static <T> T await(FutureCallback<T> callback, Duration timeout, String what) {
    try {
      return callback.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not " + what + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      connect.stop();
      connect.awaitStop();
    } finally {
      try {
        Files.deleteIfExists(offsets);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + offsets, e);
      }
    }
  }
}
