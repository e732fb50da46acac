package dev.hourglass.cli;

import dev.hourglass.admin.KafkaAccess;
import dev.hourglass.embedded.EmbeddedKafka;
import dev.hourglass.embedded.KafkaNodes;
import dev.hourglass.embedded.KafkaSecurity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

  /** The directory {@code hourglass servers} prepared the certificate and passwords in. */
  @Option(names = "--secrets")
  Path secrets;

  @Option(names = "--plaintext")
  boolean plaintext;

  @Override
  public Integer call() throws IOException {
    EmbeddedKafka.Options options = EmbeddedKafka.Options.persistent(dataDir, port);
    if (secrets != null) {
      options =
          options.withSecurity(KafkaSecurity.prepare(secrets, KafkaAccess.PRINCIPALS, plaintext));
    }
    EmbeddedKafka kafka =
        EmbeddedKafka.start(
            options, new EmbeddedKafka.Node(nodeId, nodes, controllerPort, voters, clusterId));
    Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "kafka-node-shutdown"));
    if (secrets != null && plaintext) {
      Files.writeString(
          dataDir.resolve(KafkaNodes.PLAINTEXT_READY),
          kafka.plaintextBootstrapServers(),
          StandardCharsets.UTF_8);
    }
    // Written whole, then renamed: the parent reads it as soon as it exists, never half written.
    Path partial = dataDir.resolve(KafkaNodes.READY + ".partial");
    Files.writeString(partial, kafka.bootstrapServers(), StandardCharsets.UTF_8);
    Files.move(partial, dataDir.resolve(KafkaNodes.READY), StandardCopyOption.ATOMIC_MOVE);
    // The parent holds the other end of stdin: when it ends, so does this node, even after a
    // SIGKILL of the parent that left no time to stop its children.
    InputStream in = System.in;
    while (in.read() >= 0) {
      // Nothing is sent on it; only its end matters.
    }
    Files.deleteIfExists(dataDir.resolve(KafkaNodes.READY));
    Files.deleteIfExists(dataDir.resolve(KafkaNodes.PLAINTEXT_READY));
    return 0;
  }
}
