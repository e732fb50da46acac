package dev.hourglass.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apache Kafka's own broker in KRaft combined mode (broker and controller in one node), inside this
 * JVM.
 *
 * <p>The log directory is formatted with Kafka's {@link Formatter} on first start and reused on
 * later starts, so a broker stopped with {@link #close()} and started again on the same data
 * directory (and port) keeps its topics, records and committed transactions. Internal topics are
 * configured for a single node (replication factor 1, min ISR 1) so that transactions and
 * exactly-once Kafka Streams work.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.temporary())) {
 *   String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  /**
   * Which node of which KRaft cluster this broker is; every node is broker and controller.
   *
   * @param id the node id, 1 to {@code size}
   * @param size how many nodes the cluster has: 1, or 3 for replication factor 3
   * @param controllerPort this node's controller port, or 0 for a free one (a single node only)
   * @param voters {@code controller.quorum.voters} of the whole cluster ({@code
   *     1@127.0.0.1:9093,...}), or empty for a single node voting for itself
   * @param clusterId the cluster id every node's log directory is formatted with
   */
  public record Node(int id, int size, int controllerPort, String voters, String clusterId) {
    public Node {
      Objects.requireNonNull(voters, "voters");
      Objects.requireNonNull(clusterId, "clusterId");
      if (size != 1 && size != 3) {
        throw new IllegalArgumentException(
            "Invalid value " + size + " for configuration brokers: must be 1 or 3");
      }
      if (id < 1 || id > size) {
        throw new IllegalArgumentException(
            "Invalid value " + id + " for configuration node.id: must be 1 to " + size);
      }
    }

    /** One node that is the whole cluster. */
    public static Node single() {
      return new Node(1, 1, 0, "", Uuid.randomUuid().toString());
    }

    /**
     * The nodes of a cluster of {@code size} on this machine, each with a free controller port.
     *
     * @param clusterId the id to format new log directories with; an existing directory keeps the
     *     id it was formatted with, so pass the same one when starting a cluster again
     */
    public static List<Node> cluster(int size, String clusterId) {
      List<Integer> ports = new java.util.ArrayList<>();
      StringBuilder voters = new StringBuilder();
      for (int id = 1; id <= size; id++) {
        int port = FreePorts.find();
        ports.add(port);
        voters.append(id == 1 ? "" : ",").append(id).append("@127.0.0.1:").append(port);
      }
      List<Node> nodes = new java.util.ArrayList<>();
      for (int id = 1; id <= size; id++) {
        nodes.add(new Node(id, size, ports.get(id - 1), voters.toString(), clusterId));
      }
      return List.copyOf(nodes);
    }

    /** Replicas of internal topics and the default for new topics: all nodes. */
    int replicas() {
      return size;
    }

    /** In-sync replicas a write needs: 2 of 3, so that one node may be down. */
    int minInsync() {
      return size >= 3 ? 2 : 1;
    }
  }

  /**
   * Where and how to run the broker.
   *
   * @param dataDir the log directory; formatted when empty, reused otherwise
   * @param port the client port, or 0 for a free one
   * @param deleteOnClose whether {@link #close()} removes {@code dataDir}
   * @param overrides broker settings applied last
   * @param security SASL_SSL, SCRAM and ACLs on the client port; null: a PLAINTEXT broker open to
   *     anyone (tests)
   */
  public record Options(
      Path dataDir,
      int port,
      boolean deleteOnClose,
      Map<String, String> overrides,
      KafkaSecurity security) {
    public Options(Path dataDir, int port, boolean deleteOnClose, Map<String, String> overrides) {
      this(dataDir, port, deleteOnClose, overrides, null);
    }

    public Options {
      Objects.requireNonNull(dataDir, "dataDir");
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException(
            "Invalid value " + port + " for configuration port: must be 0 (free) or 1-65535");
      }
      overrides = Map.copyOf(overrides);
    }

    /** A free port and a temporary directory removed on close. */
    public static Options temporary() {
      try {
        return new Options(Files.createTempDirectory("hourglass-kafka-"), 0, true, Map.of());
      } catch (IOException e) {
        throw new EmbeddedServerException("cannot create a temporary Kafka data directory", e);
      }
    }

    /** A persistent data directory that outlives the broker. */
    public static Options persistent(Path dataDir, int port) {
      return new Options(dataDir, port, false, Map.of());
    }

    public Options withOverrides(Map<String, String> more) {
      return new Options(dataDir, port, deleteOnClose, more, security);
    }

    /** The same options with a secured client listener ({@link KafkaSecurity}). */
    public Options withSecurity(KafkaSecurity secured) {
      return new Options(dataDir, port, deleteOnClose, overrides, secured);
    }
  }

  private final Options options;
  private final KafkaRaftServer server;
  private final Ports ports;

  /** The client port, and when secured the internal (broker TLS) and plaintext ones (or 0). */
  private record Ports(int client, int internal, int plaintext) {}

  private EmbeddedKafka(Options options, KafkaRaftServer server, Ports ports) {
    this.options = options;
    this.server = server;
    this.ports = ports;
  }

  /** Formats the data directory if needed, starts the broker and waits until it serves clients. */
  public static EmbeddedKafka start(Options options) {
    return start(options, Node.single());
  }

  /**
   * Starts one node of a cluster (see {@link Node}); with several nodes, it serves clients once a
   * majority of the controllers are up, so start them together.
   */
  public static EmbeddedKafka start(Options options, Node node) {
    QuietLogging.apply();
    Path logDir = options.dataDir().resolve("kraft-combined-logs");
    int port = options.port() == 0 ? FreePorts.find() : options.port();
    KafkaSecurity security = options.security();
    Ports ports =
        new Ports(
            port,
            security == null ? 0 : FreePorts.find(),
            security != null && security.plaintext() ? FreePorts.find() : 0);
    int controllerPort = node.controllerPort() == 0 ? FreePorts.find() : node.controllerPort();
    Properties properties = brokerProperties(logDir, port, controllerPort, node, options);
    if (security != null) {
      secure(properties, ports, controllerPort, security);
    }
    options.overrides().forEach(properties::put);
    KafkaConfig config = new KafkaConfig(properties);
    try {
      Files.createDirectories(logDir);
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        format(logDir, node);
      }
    } catch (Exception e) {
      throw new EmbeddedServerException("cannot format the Kafka log directory " + logDir, e);
    }
    long started = System.nanoTime();
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    EmbeddedKafka kafka = new EmbeddedKafka(options, server, ports);
    if (security == null) {
      BrokerReadiness.await(Map.of("bootstrap.servers", kafka.bootstrapServers()));
    } else {
      Map<String, Object> asBroker = new java.util.HashMap<>(security.brokerClientSettings());
      asBroker.put("bootstrap.servers", "127.0.0.1:" + ports.internal());
      BrokerReadiness.await(asBroker);
      BrokerReadiness.upsertScram(asBroker, security);
    }
    LOG.info(
        "Kafka {} started on {} in {} ms (data in {})",
        AppInfoParser.getVersion(),
        kafka.bootstrapServers(),
        (System.nanoTime() - started) / 1_000_000,
        options.dataDir());
    return kafka;
  }

  private static Properties brokerProperties(
      Path logDir, int port, int controllerPort, Node node, Options options) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(node.id()));
    // A static quorum: a single node votes for itself; a cluster's nodes know each other's
    // controller addresses from the start, no discovery needed.
    p.put(
        "controller.quorum.voters",
        node.voters().isEmpty() ? node.id() + "@127.0.0.1:" + controllerPort : node.voters());
    p.put("controller.listener.names", "CONTROLLER");
    p.put(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    // Internal topics on every node (one broker: they cannot have more replicas than brokers);
    // with three, a write needs two in sync, so one node may be down without losing anything.
    String replicas = Integer.toString(node.replicas());
    String minInsync = Integer.toString(node.minInsync());
    p.put("offsets.topic.replication.factor", replicas);
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.replication.factor", replicas);
    p.put("transaction.state.log.min.isr", minInsync);
    p.put("transaction.state.log.num.partitions", "5");
    p.put("share.coordinator.state.topic.replication.factor", replicas);
    p.put("share.coordinator.state.topic.min.isr", minInsync);
    p.put("default.replication.factor", replicas);
    p.put("min.insync.replicas", minInsync);
    // Consumers of a new group start at once instead of waiting 3 s for more members.
    p.put("group.initial.rebalance.delay.ms", "0");
    // Tests and local mode create their topics explicitly; a typo must not create one.
    p.put("auto.create.topics.enable", "false");
    // Small segments keep many short-lived test topics cheap on disk.
    p.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
    p.put("num.partitions", "1");
    return p;
  }

  /**
   * Clients on SASL_SSL (SCRAM-SHA-512) at the client port, brokers and controllers on loopback,
   * the StandardAuthorizer denying whatever no ACL allows; a PLAINTEXT client listener only when
   * asked for.
   */
  private static void secure(
      Properties p, Ports ports, int controllerPort, KafkaSecurity security) {
    String plaintext = ports.plaintext() == 0 ? "" : ",PLAINTEXT://127.0.0.1:" + ports.plaintext();
    p.put(
        "listeners",
        "SASL_SSL://127.0.0.1:"
            + ports.client()
            + ",INTERNAL://127.0.0.1:"
            + ports.internal()
            + ",CONTROLLER://127.0.0.1:"
            + controllerPort
            + plaintext);
    p.put(
        "advertised.listeners",
        "SASL_SSL://127.0.0.1:"
            + ports.client()
            + ",INTERNAL://127.0.0.1:"
            + ports.internal()
            + plaintext);
    p.put(
        "listener.security.protocol.map",
        "SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    p.put("inter.broker.listener.name", "INTERNAL");
    // Brokers and controllers talk on loopback as before (TLS with client certificates there
    // stalled transactions across a three-node cluster); whoever is on these listeners is the
    // broker, a super-user, so they must stay on 127.0.0.1. A PLAINTEXT client listener is not
    // one of them and gets no right.
    p.put("principal.builder.class", ListenerPrincipalBuilder.class.getName());
    p.putAll(security.tls());
    p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
    p.put("listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-512");
    p.put(
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    // The admin provisions topics and ACLs; brokers replicate; everyone else needs an ACL.
    p.put(
        "super.users", "User:" + KafkaSecurity.ADMIN + ";User:" + ListenerPrincipalBuilder.BROKER);
    p.put("allow.everyone.if.no.acl.found", "false");
  }

  private static void format(Path logDir, Node node) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      new Formatter()
          .setPrintStream(print)
          .setNodeId(node.id())
          .setClusterId(node.clusterId())
          .setControllerListenerName("CONTROLLER")
          .setMetadataLogDirectory(logDir.toString())
          .setDirectories(List.of(logDir.toString()))
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setHasDynamicQuorum(false)
          .run();
    }
    LOG.debug("formatted {}: {}", logDir, out.toString(StandardCharsets.UTF_8).trim());
  }

  /**
   * {@code host:port} for the {@code bootstrap.servers} client setting: the SASL_SSL listener when
   * secured.
   */
  public String bootstrapServers() {
    return "127.0.0.1:" + ports.client();
  }

  /**
   * The PLAINTEXT client listener of a secured broker started with one.
   *
   * @throws IllegalStateException when it has none
   */
  public String plaintextBootstrapServers() {
    if (options.security() == null) {
      return bootstrapServers();
    }
    if (ports.plaintext() == 0) {
      throw new IllegalStateException("this broker has no plaintext listener");
    }
    return "127.0.0.1:" + ports.plaintext();
  }

  /** The client port; pass it in {@link Options} to restart on the same address. */
  public int port() {
    return ports.client();
  }

  public Path dataDir() {
    return options.dataDir();
  }

  /** Shuts the broker down cleanly; removes the data directory only for temporary options. */
  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
    if (options.deleteOnClose()) {
      Directories.deleteRecursively(options.dataDir());
    }
    LOG.info("Kafka on port {} stopped", ports.client());
  }
}
