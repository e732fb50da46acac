package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.admin.KafkaAccess;
import dev.hourglass.admin.TopicProvisioner;
import dev.hourglass.admin.TopicSettings;
import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.EmbeddedKafka;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.KafkaSecurity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secured embedded broker refuses what a principal was not granted ({@link KafkaAccess}) and
 * whoever cannot log in, each with the exception a client sees. The pipeline balancing its books
 * secured is {@code LocalModeIT}.
 */
@HourglassIT
class KafkaSecurityIT {
  private static final Topics TOPICS = Topics.withPrefix(Topics.DEFAULT_PREFIX);
  private static KafkaSecurity security;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start(@TempDir Path dir) {
    security = KafkaSecurity.prepare(dir.resolve("secrets"), KafkaAccess.PRINCIPALS, true);
    kafka = EmbeddedKafka.start(EmbeddedKafka.Options.temporary().withSecurity(security));
    Map<String, Object> admin =
        KafkaClients.client(security, kafka.bootstrapServers(), KafkaSecurity.ADMIN);
    TopicProvisioner.provision(admin, TopicSettings.from(Map.of("topics.partitions", "1")));
    KafkaClients.grant(security, kafka.bootstrapServers(), KafkaAccess.defaults(TOPICS));
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  @Test
  void shouldRefuseTheProducerReadingAlerts() {
    assertThatThrownBy(() -> readOne(login(KafkaAccess.PRODUCER), TOPICS.alerts().name()))
        .isInstanceOf(TopicAuthorizationException.class)
        .hasMessage("Not authorized to access topics: [hourglass.alerts]");
  }

  @Test
  void shouldRefuseTheSinkWritingRollups() {
    assertThatThrownBy(() -> write(login(KafkaAccess.SINK), TOPICS.rollups().name()))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TopicAuthorizationException.class)
        .hasMessage("Not authorized to access topics: [hourglass.rollups]");
  }

  @Test
  void shouldRefuseAnAlertConsumerReadingAnEventTopic() {
    String events = TOPICS.events(Family.TASK).name();
    assertThatThrownBy(() -> readOne(login(KafkaAccess.ALERTS), events))
        .isInstanceOf(TopicAuthorizationException.class)
        .hasMessage("Not authorized to access topics: [" + events + "]");
  }

  @Test
  void shouldRefuseTheStreamsProcessorWritingAnEventTopic() {
    String events = TOPICS.events(Family.AGENT).name();
    assertThatThrownBy(() -> write(login(KafkaAccess.STREAMS), events))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TopicAuthorizationException.class)
        .hasMessage("Not authorized to access topics: [" + events + "]");
  }

  @Test
  void shouldRefuseTheSinkConsumingInTheForwardersGroup() {
    // Its topic is granted (alerts), the group is not its own: committing there could skip
    // alerts the forwarder has not sent.
    Map<String, Object> sink = login(KafkaAccess.SINK);
    sink.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaAccess.defaults(TOPICS).forwarderGroup());
    sink.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(sink, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(TOPICS.alerts().name()));
      assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(30)))
          .isInstanceOf(GroupAuthorizationException.class)
          .hasMessage(
              "Not authorized to access group: " + KafkaAccess.defaults(TOPICS).forwarderGroup());
    }
  }

  @Test
  void shouldLetEachPrincipalDoWhatItWasGranted() throws Exception {
    write(login(KafkaAccess.PRODUCER), TOPICS.events(Family.TASK).name());
    write(login(KafkaAccess.STREAMS), TOPICS.rollups().name());
    write(login(KafkaAccess.SINK), TOPICS.alerts().name());
    assertThat(readOne(login(KafkaAccess.ALERTS), TOPICS.alerts().name())).isEqualTo(1);
  }

  @Test
  void shouldRefuseAWrongPassword() {
    Map<String, Object> wrong = login(KafkaAccess.SINK);
    wrong.put("sasl.jaas.config", KafkaSecurity.jaas(KafkaAccess.SINK, "not-the-password"));
    assertThatThrownBy(() -> describeCluster(wrong))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(SaslAuthenticationException.class)
        .hasMessage(
            "Authentication failed during authentication due to invalid credentials with SASL"
                + " mechanism SCRAM-SHA-512");
  }

  @Test
  void shouldNotServeAPlaintextClientOnTheSecuredPort() {
    Map<String, Object> plain = new HashMap<>();
    plain.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    assertThatThrownBy(() -> describeCluster(plain))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TimeoutException.class);
  }

  @Test
  void shouldGrantNothingToAnUnauthenticatedClientOnThePlaintextListener() {
    Map<String, Object> anonymous = new HashMap<>();
    anonymous.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.plaintextBootstrapServers());
    assertThatThrownBy(() -> readOne(anonymous, TOPICS.alerts().name()))
        .isInstanceOf(TopicAuthorizationException.class)
        .hasMessage("Not authorized to access topics: [hourglass.alerts]");
  }

  @Test
  void shouldReadThePasswordThroughKafkasFileConfigProvider(@TempDir Path dir) throws Exception {
    Path secret =
        Files.createFile(
            dir.resolve("alerts.secret"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        secret,
        "jaas="
            + KafkaSecurity.jaas(KafkaAccess.ALERTS, security.password(KafkaAccess.ALERTS))
                .replace("\"", "\\\"")
            + "\n");
    Map<String, Object> viaFile = login(KafkaAccess.ALERTS);
    viaFile.put("config.providers", "file");
    viaFile.put(
        "config.providers.file.class",
        "org.apache.kafka.common.config.provider.FileConfigProvider");
    viaFile.put("sasl.jaas.config", "${file:" + secret + ":jaas}");
    assertThat(describeCluster(viaFile)).isEqualTo(1);
  }

  @Test
  void shouldReadThePasswordInsideTheJaasLineThroughADirectoryConfigProvider(@TempDir Path dir)
      throws Exception {
    // As a container secret: the file holds the password alone, no newline.
    Path secret =
        Files.createFile(
            dir.resolve("kafka_alerts_password"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(secret, security.password(KafkaAccess.ALERTS));
    Map<String, Object> viaDir = login(KafkaAccess.ALERTS);
    viaDir.put("config.providers", "dir");
    viaDir.put(
        "config.providers.dir.class",
        "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
    viaDir.put(
        "sasl.jaas.config",
        KafkaSecurity.jaas(KafkaAccess.ALERTS, "${dir:" + dir + ":kafka_alerts_password}"));
    assertThat(describeCluster(viaDir)).isEqualTo(1);
  }

  private static Map<String, Object> login(String principal) {
    return new HashMap<>(KafkaClients.client(security, kafka.bootstrapServers(), principal));
  }

  /** Records read from partition 0 of {@code topic} (from its start), assigned, no group. */
  private static int readOne(Map<String, Object> client, String topic) {
    Map<String, Object> p = new HashMap<>(client);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      int read = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (read == 0 && System.nanoTime() < deadline) {
        read += consumer.poll(Duration.ofMillis(500)).count();
      }
      return read;
    }
  }

  private static void write(Map<String, Object> client, String topic) throws Exception {
    Map<String, Object> p = new HashMap<>(client);
    // Bounded: a refused topic fails the send instead of waiting for metadata for a minute.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, 0, null, new byte[] {1})).get(30, TimeUnit.SECONDS);
    }
  }

  private static int describeCluster(Map<String, Object> client) throws Exception {
    Map<String, Object> p = new HashMap<>(client);
    // Bounded: a client that cannot talk to the broker times out in seconds.
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    try (Admin admin = Admin.create(p)) {
      return admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
    }
  }
}
