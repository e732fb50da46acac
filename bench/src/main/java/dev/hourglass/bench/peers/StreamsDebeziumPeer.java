package dev.hourglass.bench.peers;

import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/**
 * Peer 2: the hourly rollups in Kafka Streams' DSL ({@link WindowedRollups}), written to a topic
 * per family, and the Debezium JDBC sink connector in an embedded Kafka Connect worker upserting
 * them into the peer's tables, each with its dead-letter topic. {@code suppress} picks final
 * results only ({@code suppress(untilWindowCloses)}) or every update.
 */
public final class StreamsDebeziumPeer implements Peer {
  private static final String CONNECTOR = "rollups-jdbc-sink";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final String name;
  private final String jdbcUrl;
  private final KafkaStreams streams;
  private final Admin admin;
  private final Map<String, String> connectorConfig;
  private final String bootstrapServers;
  private final List<String> deadLetterTopics;
  private final Path workerDir;
  // The application's input topics, whose committed offsets tell whether it has read them all.
  private final List<String> inputs;
  // The Connect sink task's consumer's group.instance.id; null for a dynamic member.
  private final String sinkIdentity;
  private ChildProcess worker;

  private StreamsDebeziumPeer(
      String name,
      String jdbcUrl,
      KafkaStreams streams,
      Admin admin,
      Map<String, String> connectorConfig,
      String bootstrapServers,
      List<String> deadLetterTopics,
      Path workerDir,
      List<String> inputs,
      String sinkIdentity) {
    this.name = name;
    this.jdbcUrl = jdbcUrl;
    this.streams = streams;
    this.admin = admin;
    this.connectorConfig = connectorConfig;
    this.bootstrapServers = bootstrapServers;
    this.deadLetterTopics = deadLetterTopics;
    this.workerDir = workerDir;
    this.inputs = inputs;
    this.sinkIdentity = sinkIdentity;
  }

  /**
   * Creates the peer's tables (schema {@code name} with - made _) and topics, starts the streams
   * application and the connector; returns once both run.
   *
   * @param topics the event topics to read (their prefix also names the peer's own topics)
   * @param grace how late an event may be and still count, as Hourglass's {@code streams.grace.ms}
   * @param stateDir where Kafka Streams keeps its state stores
   * @param staticMember whether the connector's consumer is a static group member ({@code
   *     group.instance.id}), which a restarted worker's consumer replaces at once
   */
  public static StreamsDebeziumPeer start(
      String name,
      String bootstrapServers,
      String jdbcUrl,
      String user,
      String password,
      Topics topics,
      Duration grace,
      boolean suppress,
      Path stateDir,
      boolean staticMember) {
    String schema = name.replace('-', '_');
    PeerTables.create(jdbcUrl, user, password, schema);
    String peerUrl = PeerTables.url(jdbcUrl, schema);
    Map<Family, String> outputs = new LinkedHashMap<>();
    for (Family f : Family.values()) {
      outputs.put(f, topics.prefix() + "streams-" + f.id() + "-hours");
    }
    String streamsDlq = topics.prefix() + "streams-dlq";
    String connectDlq = topics.prefix() + "connect-dlq";
    Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    KafkaStreams streams = null;
    try {
      int partitions = partitions(admin, topics.events(Family.TASK).name());
      List<NewTopic> created = new ArrayList<>();
      for (String t : outputs.values()) {
        created.add(new NewTopic(t, partitions, (short) 1));
      }
      created.add(new NewTopic(streamsDlq, 1, (short) 1));
      created.add(new NewTopic(connectDlq, 1, (short) 1));
      admin.createTopics(created).all().get();

      streams =
          new KafkaStreams(
              WindowedRollups.build(topics, grace, suppress, outputs::get),
              streamsSettings(name, bootstrapServers, stateDir, streamsDlq));
      streams.start();
      awaitRunning(streams);

      Map<String, String> connector =
          connectorSettings(
              schema, peerUrl, user, password, List.copyOf(outputs.values()), connectDlq);
      StreamsDebeziumPeer peer =
          new StreamsDebeziumPeer(
              name,
              peerUrl,
              streams,
              admin,
              connector,
              bootstrapServers,
              List.of(streamsDlq, connectDlq),
              stateDir.resolveSibling(name + "-connect"),
              topics.events().stream().map(t -> t.name()).toList(),
              staticMember ? "peers-" + name + "-connect" : null);
      peer.launchWorker();
      return peer;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(streams, admin);
      throw new IllegalStateException("interrupted while starting " + name, e);
    } catch (ExecutionException | RuntimeException e) {
      closeQuietly(streams, admin);
      throw new IllegalStateException("could not start " + name + ": " + e.getMessage(), e);
    }
  }

  private static String applicationId(String name) {
    return "peers-" + name;
  }

  /** Kafka Streams' settings; each non-default one says why. */
  static Properties streamsSettings(
      String name, String bootstrapServers, Path stateDir, String deadLetterTopic) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(name));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    // Its own directory, so that peers and runs never share state stores.
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    // The documentation's choice for correct aggregates after a crash (state, changelog and
    // output committed together); also Hourglass's default. Commits every 100 ms by default.
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // Poison and invalid records: skip and keep going rather than stop the application (the
    // default handler fails), each one written to the dead-letter topic (KIP-1034).
    p.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class.getName());
    p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, deadLetterTopic);
    return p;
  }

  /** The Debezium JDBC sink's settings; each non-default one says why. */
  static Map<String, String> connectorSettings(
      String schema,
      String jdbcUrl,
      String user,
      String password,
      List<String> topics,
      String deadLetterTopic) {
    Map<String, String> c = new LinkedHashMap<>();
    // A connector, and so a consumer group (connect-<name>), per pipeline: a closed static member
    // stays in its group for its session, and a later pipeline's worker in the same group would
    // wait that out before it got partitions.
    c.put("name", CONNECTOR + "-" + schema);
    c.put("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector");
    // One consumer writing PostgreSQL, as Hourglass's sink runs one.
    c.put("tasks.max", "1");
    c.put("topics", String.join(",", topics));
    c.put("connection.url", jdbcUrl);
    c.put("connection.username", user);
    c.put("connection.password", password);
    // A window's row is updated in place as its aggregate changes: upsert on the row's key.
    c.put("insert.mode", "upsert");
    c.put("primary.key.mode", "record_key");
    // The tables are created and migrated by the team (PeerTables), never by the connector.
    c.put("schema.evolution", "none");
    // Many updates of one row in a batch: write only the last (Debezium's advice for upserts).
    c.put("use.reduction.buffer", "true");
    // Topic streams-task-hours into table <schema>.task_rollups_hourly, and so on.
    c.put("transforms", "route");
    c.put("transforms.route.type", "org.apache.kafka.connect.transforms.RegexRouter");
    c.put("transforms.route.regex", ".*streams-(task|agent|integration)-hours");
    c.put("transforms.route.replacement", "$1_rollups_hourly");
    c.put("collection.name.format", schema + ".${topic}");
    // A record that cannot be written goes to the dead-letter topic, with why in its headers,
    // and the connector goes on.
    c.put("errors.tolerance", "all");
    c.put("errors.deadletterqueue.topic.name", deadLetterTopic);
    c.put("errors.deadletterqueue.topic.replication.factor", "1");
    c.put("errors.deadletterqueue.context.headers.enable", "true");
    c.put("errors.log.enable", "true");
    return c;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String jdbcUrl() {
    return jdbcUrl;
  }

  /**
   * Records in each dead-letter topic, read committed: the streams application writes its topic in
   * transactions, whose markers and aborted attempts its end offset would count.
   */
  @Override
  public Map<String, Long> deadLetters() {
    Map<String, Long> out = new LinkedHashMap<>();
    readDeadLetters((topic, r) -> out.merge(topic, 1L, Long::sum));
    for (String topic : deadLetterTopics) {
      out.putIfAbsent(topic, 0L);
    }
    return out;
  }

  /**
   * Where the dead letters were read, from the headers each handler adds: Kafka Streams' {@code
   * __streams.errors.*} (KIP-1034) and Connect's {@code __connect.errors.*} (context headers on).
   */
  @Override
  public Set<String> deadLetterPositions() {
    Set<String> out = new HashSet<>();
    readDeadLetters(
        (topic, r) -> {
          for (String h : List.of("__streams.errors.", "__connect.errors.")) {
            String t = header(r, h + "topic");
            String partition = header(r, h + "partition");
            String offset = header(r, h + "offset");
            if (t != null && partition != null && offset != null) {
              out.add(LedgerBooks.position(t, Integer.parseInt(partition), Long.parseLong(offset)));
            }
          }
        });
    return out;
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private void readDeadLetters(BiConsumer<String, ConsumerRecord<byte[], byte[]>> each) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    // Committed records only: an aborted attempt is retried, and counts once.
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      for (String topic : deadLetterTopics) {
        TopicPartition tp = new TopicPartition(topic, 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        long end = consumer.endOffsets(List.of(tp)).get(tp);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (consumer.position(tp) < end && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(200)).forEach(r -> each.accept(topic, r));
        }
      }
    }
  }

  /**
   * Whether the streams application has committed every event of its input: under exactly-once its
   * output up to there is committed too, and only the connector's writes remain.
   */
  @Override
  public boolean caughtUp() {
    return CommittedOffsets.reachEnd(admin, applicationId(name), inputs, name);
  }

  @Override
  public void check() {
    if (streams.state() == KafkaStreams.State.ERROR
        || streams.state() == KafkaStreams.State.NOT_RUNNING) {
      throw new IllegalStateException("the Kafka Streams application of " + name + " stopped");
    }
    worker.check();
  }

  /** Starts the Connect worker in a process of its own, and the connector in it. */
  private void launchWorker() throws InterruptedException {
    Properties p = new Properties();
    p.setProperty(ConnectWorker.BOOTSTRAP, bootstrapServers);
    connectorConfig.forEach((k, v) -> p.setProperty(ConnectWorker.CONNECTOR + k, v));
    if (sinkIdentity != null) {
      // The worker passes consumer.* to its sink tasks' consumers; one task, so one identity.
      p.setProperty(ConnectWorker.WORKER + "consumer.group.instance.id", sinkIdentity);
    }
    worker = ChildProcess.start(name + "-connect", ConnectWorker.class, p, workerDir);
    try {
      worker.awaitReady(START_TIMEOUT);
    } catch (RuntimeException | InterruptedException e) {
      worker.close();
      throw e;
    }
  }

  /** SIGKILLs the Connect worker's process and starts a new one. */
  @Override
  public void restartSink() {
    try {
      worker.kill();
      launchWorker();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while restarting " + name + "'s worker", e);
    }
  }

  @Override
  public void close() {
    try {
      if (worker != null) {
        worker.close();
      }
    } finally {
      closeQuietly(streams, admin);
    }
  }

  private static void closeQuietly(KafkaStreams streams, Admin admin) {
    try {
      if (streams != null) {
        streams.close(Duration.ofSeconds(30));
      }
    } finally {
      admin.close();
    }
  }

  private static int partitions(Admin admin, String topic)
      throws InterruptedException, ExecutionException {
    return admin
        .describeTopics(List.of(topic))
        .allTopicNames()
        .get()
        .get(topic)
        .partitions()
        .size();
  }

  private static void awaitRunning(KafkaStreams streams) throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (streams.state() == KafkaStreams.State.ERROR || System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Kafka Streams is " + streams.state() + ", not RUNNING, after " + START_TIMEOUT);
      }
      Thread.sleep(50);
    }
  }
}
