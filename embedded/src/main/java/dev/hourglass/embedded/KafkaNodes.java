package dev.hourglass.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Kafka nodes of {@code hourglass servers} and {@code hourglass chaos}, each broker and
 * controller an OS process of its own: a JVM running the executable's hidden {@code kafka-node}
 * command, which writes its {@code bootstrap.servers} to {@value #READY} in its directory once it
 * accepts clients and ends when its standard input ends (so a node never outlives the process that
 * started it, even one killed with SIGKILL). A node killed on purpose is started again on the same
 * ports and log directory with {@link #restart(int)}.
 */
public final class KafkaNodes implements AutoCloseable {
  /** The file a node writes its {@code bootstrap.servers} to once it accepts clients. */
  public static final String READY = "bootstrap.servers";

  /** Beside {@link #READY}: the node's PLAINTEXT client listener, when it has one. */
  public static final String PLAINTEXT_READY = "plaintext.bootstrap.servers";

  private static final Duration READY_WITHIN = Duration.ofMinutes(3);

  private final List<String> launcher;
  private final List<String> nodeArgs;
  private final Path kafkaDir;
  private final List<EmbeddedKafka.Node> cluster;
  private final int[] ports;
  private final Process[] processes;
  private final String clusterId;

  private KafkaNodes(
      List<String> launcher, List<String> nodeArgs, Path kafkaDir, int size, int firstPort)
      throws IOException {
    this.launcher = List.copyOf(launcher);
    this.nodeArgs = List.copyOf(nodeArgs);
    this.kafkaDir = Files.createDirectories(kafkaDir);
    Path idFile = kafkaDir.resolve("cluster.id");
    if (!Files.exists(idFile)) {
      // Kafka's cluster ids are base64 UUIDs; the nodes' log directories keep the first one.
      Files.writeString(idFile, org.apache.kafka.common.Uuid.randomUuid().toString());
    }
    this.clusterId = Files.readString(idFile).trim();
    this.cluster = EmbeddedKafka.Node.cluster(size, clusterId);
    this.ports = new int[size];
    for (int i = 0; i < size; i++) {
      ports[i] = firstPort == 0 ? 0 : firstPort + i;
    }
    this.processes = new Process[size];
  }

  /**
   * Starts {@code size} nodes together (a quorum needs a majority) and waits until each accepts.
   *
   * @param launcher the command that runs the executable: java, its options, class path, main class
   * @param firstPort the first node's client port, the next ones on the following ports; 0 = free
   */
  public static KafkaNodes start(List<String> launcher, Path kafkaDir, int size, int firstPort)
      throws IOException, InterruptedException {
    return start(launcher, List.of(), kafkaDir, size, firstPort);
  }

  /**
   * As {@link #start(List, Path, int, int)}, each node also given {@code nodeArgs} (its security:
   * {@code --secrets DIR}, {@code --plaintext}).
   */
  public static KafkaNodes start(
      List<String> launcher, List<String> nodeArgs, Path kafkaDir, int size, int firstPort)
      throws IOException, InterruptedException {
    KafkaNodes nodes = new KafkaNodes(launcher, nodeArgs, kafkaDir, size, firstPort);
    try {
      for (int i = 0; i < size; i++) {
        nodes.launch(i);
      }
      for (int i = 0; i < size; i++) {
        nodes.awaitReady(i);
      }
      return nodes;
    } catch (IOException | RuntimeException | InterruptedException e) {
      nodes.close();
      throw e;
    }
  }

  private void launch(int i) throws IOException {
    EmbeddedKafka.Node node = cluster.get(i);
    Path nodeDir = nodeDir(i);
    Files.deleteIfExists(nodeDir.resolve(READY));
    Files.deleteIfExists(nodeDir.resolve(PLAINTEXT_READY));
    List<String> command = new ArrayList<>(launcher);
    command.addAll(
        List.of(
            "kafka-node",
            "--data-dir",
            nodeDir.toString(),
            "--port",
            Integer.toString(ports[i]),
            "--node-id",
            Integer.toString(node.id()),
            "--nodes",
            Integer.toString(cluster.size()),
            "--controller-port",
            Integer.toString(node.controllerPort()),
            "--voters",
            node.voters(),
            "--cluster-id",
            clusterId));
    command.addAll(nodeArgs);
    processes[i] =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeDir.resolve("node.log").toFile()))
            .start();
  }

  private Path nodeDir(int i) throws IOException {
    return Files.createDirectories(kafkaDir.resolve("node-" + cluster.get(i).id()));
  }

  private void awaitReady(int i) throws IOException, InterruptedException {
    Path ready = nodeDir(i).resolve(READY);
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    String bootstrap = read(ready);
    // The node writes the file when it accepts clients; an empty one is still being written.
    while (bootstrap.isEmpty()) {
      Process p = processes[i];
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new EmbeddedServerException(
            "Kafka node "
                + (i + 1)
                + (p.isAlive() ? " did not start within " + READY_WITHIN : " stopped")
                + "; its log: "
                + ready.resolveSibling("node.log"));
      }
      p.waitFor(200, TimeUnit.MILLISECONDS);
      bootstrap = read(ready);
    }
    // A restart comes back on the same port, so clients keep their bootstrap.servers.
    ports[i] = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
  }

  private static String read(Path ready) throws IOException {
    try {
      return Files.readString(ready, StandardCharsets.UTF_8).trim();
    } catch (java.nio.file.NoSuchFileException e) {
      return "";
    }
  }

  /** Every node's {@code host:port}, comma-separated. */
  public String bootstrapServers() {
    List<String> out = new ArrayList<>();
    for (int port : ports) {
      out.add("127.0.0.1:" + port);
    }
    return String.join(",", out);
  }

  /** Every node's PLAINTEXT client listener, comma-separated; empty when the nodes have none. */
  public String plaintextBootstrapServers() throws IOException {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < processes.length; i++) {
      String address = read(nodeDir(i).resolve(PLAINTEXT_READY));
      if (!address.isEmpty()) {
        out.add(address);
      }
    }
    return String.join(",", out);
  }

  public int size() {
    return processes.length;
  }

  /** The process of node {@code i} (0-based): to read its memory, or to kill it. */
  public Process process(int i) {
    return processes[i];
  }

  /** Starts node {@code i} again, after it was killed, on its ports and log directory. */
  public void restart(int i) throws IOException, InterruptedException {
    if (processes[i].isAlive()) {
      throw new IllegalStateException("Kafka node " + (i + 1) + " still runs");
    }
    launch(i);
    awaitReady(i);
  }

  /** Starts every node again, after all were killed, together (a quorum needs a majority). */
  public void restartAll() throws IOException, InterruptedException {
    for (int i = 0; i < processes.length; i++) {
      if (processes[i].isAlive()) {
        throw new IllegalStateException("Kafka node " + (i + 1) + " still runs");
      }
      launch(i);
    }
    for (int i = 0; i < processes.length; i++) {
      awaitReady(i);
    }
  }

  /** Ends each node's standard input, which stops it cleanly; forces what is still up after. */
  @Override
  public void close() {
    for (Process p : processes) {
      if (p != null) {
        try {
          p.getOutputStream().close();
        } catch (IOException e) {
          p.destroy();
        }
      }
    }
    for (Process p : processes) {
      if (p == null) {
        continue;
      }
      try {
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}
