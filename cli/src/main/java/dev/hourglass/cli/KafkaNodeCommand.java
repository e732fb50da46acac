package dev.hourglass.cli;

import dev.hourglass.embedded.EmbeddedKafka;
import dev.hourglass.embedded.KafkaNodes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One Kafka node of {@code hourglass servers}, in a process of its own: starts the broker, writes
 * its {@code bootstrap.servers} to {@value KafkaNodes#READY} in its data directory, and runs until
 * its standard input ends (the {@code servers} process stopped or died) or it is asked to stop. Not
 * for users; {@link KafkaNodes} starts it.
 */
@Command(name = "kafka-node", hidden = true, description = "One node of hourglass servers.")
final class KafkaNodeCommand implements Callable<Integer> {
  @Option(names = "--data-dir", required = true)
  Path dataDir;

  @Option(names = "--port", defaultValue = "0")
  int port;

  @Option(names = "--node-id", required = true)
  int nodeId;

  @Option(names = "--nodes", required = true)
  int nodes;

  @Option(names = "--controller-port", required = true)
  int controllerPort;

  @Option(names = "--voters", required = true)
  String voters;

  @Option(names = "--cluster-id", required = true)
  String clusterId;

  @Override
  public Integer call() throws IOException {
    EmbeddedKafka kafka =
        EmbeddedKafka.start(
            EmbeddedKafka.Options.persistent(dataDir, port),
            new EmbeddedKafka.Node(nodeId, nodes, controllerPort, voters, clusterId));
    Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "kafka-node-shutdown"));
    Files.writeString(
        dataDir.resolve(KafkaNodes.READY), kafka.bootstrapServers(), StandardCharsets.UTF_8);
    // The parent holds the other end of stdin: when it ends, so does this node, even after a
    // SIGKILL of the parent that left no time to stop its children.
    InputStream in = System.in;
    while (in.read() >= 0) {
      // Nothing is sent on it; only its end matters.
    }
    Files.deleteIfExists(dataDir.resolve(KafkaNodes.READY));
    return 0;
  }
}
