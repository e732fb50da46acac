package dev.hourglass.forwarder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hourglass.contract.AlertsFormat;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestKafka;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import dev.hourglass.rollups.Severity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hourglass alerts forward} against a real Alertmanager (Debian's {@code
 * prometheus-alertmanager}, which {@code .ci/run} installs), started on a free loopback port with a
 * generated configuration and a fresh storage path, clustering off. Checked through Alertmanager's
 * own v2 API: alerts fire with Hourglass's labels, group by rule and organization, stay active by
 * being resent, are silenced by a silence created in Alertmanager, resolve, and survive both a
 * forwarder restart and Alertmanager being down for a while.
 */
@HourglassIT
class AlertmanagerForwardIT {
  private static final String ORG_1 = "3e0a5b7c-6f4d-4b2e-8c93-4d5e6f7a8b91";
  private static final String ORG_2 = "3e0a5b7c-6f4d-4b2e-8c93-4d5e6f7a8b92";
  private static final String AGENT_1 = "3e0a5b7c-6f4d-4b2e-8c93-4d5e6f7a8ba1";
  private static final String AGENT_2 = "3e0a5b7c-6f4d-4b2e-8c93-4d5e6f7a8ba2";
  private static final String AGENT_3 = "3e0a5b7c-6f4d-4b2e-8c93-4d5e6f7a8ba3";
  private static final Instant HOUR =
      Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1));
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;
  private Process alertmanager;
  private int port;

  @AfterEach
  void stopAlertmanager() throws InterruptedException {
    if (alertmanager != null) {
      alertmanager.destroy();
      alertmanager.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void shouldFireGroupSilenceAndResolveAlertsInAlertmanager(TestKafka kafka) throws Exception {
    port = freePort();
    startAlertmanager();
    kafka.createTopics(1, Topics.BASES.toArray(String[]::new));
    String topic = Topics.withPrefix(kafka.topic("")).alerts().name();
    Alert firing1 = alert(ORG_1, AGENT_1, AlertState.FIRING);
    Alert firing2 = alert(ORG_1, AGENT_2, AlertState.FIRING);
    Alert firing3 = alert(ORG_2, AGENT_1, AlertState.FIRING);
    publish(kafka, topic, firing1, firing2, firing3);
    ForwarderConfig config = config(kafka);

    try (AlertsForwarderApp forwarder = AlertsForwarderApp.start(config)) {
      await().atMost(WAIT).untilAsserted(() -> assertThat(active()).hasSize(3));
      JsonNode one = byAgent(active(), ORG_1, AGENT_1);
      assertThat(labels(one))
          .containsExactlyEntriesOf(
              new TreeMap<>(
                  Map.of(
                      "alertname", "agent_failure_rate",
                      "severity", "warning",
                      "family", "agent",
                      "entity_type", "agent",
                      "entity_key", AGENT_1,
                      "organization_id", ORG_1,
                      "window_start", HOUR.toString())));
      assertThat(one.path("annotations").path("summary").asText()).isEqualTo(firing1.getMessage());
      assertThat(one.path("annotations").path("observed_value").asText()).isEqualTo("0.3");
      assertThat(one.path("annotations").path("threshold").asText()).isEqualTo("0.25");
      assertThat(Instant.parse(one.path("startsAt").asText())).isEqualTo(firing1.getFiredAt());
      assertThat(one.path("status").path("state").asText()).isEqualTo("active");

      // Grouped by the example route's group_by: rule and organization.
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(groups())
                      .containsExactlyInAnyOrder(
                          "agent_failure_rate|" + ORG_1 + "=2",
                          "agent_failure_rate|" + ORG_2 + "=1"));

      // Resent while firing: Alertmanager sees the alert updated again.
      Instant updated = Instant.parse(one.path("updatedAt").asText());
      await()
          .atMost(WAIT)
          .until(
              () ->
                  Instant.parse(byAgent(active(), ORG_1, AGENT_1).path("updatedAt").asText())
                      .isAfter(updated));

      // A silence created in Alertmanager silences the organization's alert, and only it.
      String silence = createSilence("organization_id", ORG_2);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                JsonNode silenced = byAgent(active(), ORG_2, AGENT_1);
                assertThat(silenced.path("status").path("state").asText()).isEqualTo("suppressed");
                assertThat(silenced.path("status").path("silencedBy").get(0).asText())
                    .isEqualTo(silence);
                assertThat(byAgent(active(), ORG_1, AGENT_1).path("status").path("state").asText())
                    .isEqualTo("active");
              });
      assertThat(forwarder.isRunning()).isTrue();
    }

    // While the forwarder is stopped, AGENT_1 of ORG_1 resolves; after its restart (same group,
    // committed offsets) the RESOLVED arrives and the other two stay firing.
    publish(kafka, topic, alert(ORG_1, AGENT_1, AlertState.RESOLVED));
    try (AlertsForwarderApp forwarder = AlertsForwarderApp.start(config)) {
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(active())
                      .extracting(
                          a ->
                              a.path("labels").path("entity_key").asText()
                                  + "@"
                                  + a.path("labels").path("organization_id").asText())
                      .containsExactlyInAnyOrder(AGENT_2 + "@" + ORG_1, AGENT_1 + "@" + ORG_2));

      // Alertmanager down: a new alert waits, retried with backoff, and arrives once it is back.
      alertmanager.destroy();
      assertThat(alertmanager.waitFor(10, TimeUnit.SECONDS)).isTrue();
      publish(kafka, topic, alert(ORG_1, AGENT_3, AlertState.FIRING));
      await().atMost(WAIT).until(() -> committedEnd(kafka, config) == 4);
      startAlertmanager();
      await()
          .atMost(WAIT)
          .untilAsserted(() -> assertThat(byAgent(active(), ORG_1, AGENT_3)).isNotNull());
      await().atMost(WAIT).until(() -> committedEnd(kafka, config) == 5);
      assertThat(forwarder.isRunning()).isTrue();
    }
  }

  private ForwarderConfig config(TestKafka kafka) {
    return ForwarderConfig.from(
        Map.of(
            "bootstrap.servers",
            kafka.bootstrapServers(),
            "topic.prefix",
            kafka.topic(""),
            ForwarderConfig.GROUP_ID,
            kafka.topic("forwarder"),
            ForwarderConfig.ALERTMANAGER_URL,
            "http://127.0.0.1:" + port,
            ForwarderConfig.RESEND_INTERVAL_MS,
            "1000",
            ForwarderConfig.RETRY_INITIAL_BACKOFF_MS,
            "100",
            ForwarderConfig.RETRY_MAX_BACKOFF_MS,
            "1000"));
  }

  private static Alert alert(String org, String agent, AlertState state) {
    Instant fired = HOUR.plus(Duration.ofMinutes(20));
    return Alert.newBuilder()
        .setAlertId(org + agent + state)
        .setRule("agent_failure_rate")
        .setSeverity(Severity.WARNING)
        .setState(state)
        .setOrganizationId(org)
        .setEntityType("agent")
        .setEntityKey(agent)
        .setWindowStart(HOUR)
        .setWindowEnd(HOUR.plus(Duration.ofHours(1)))
        .setObservedValue(state == AlertState.FIRING ? 0.3 : 0.05)
        .setThreshold(state == AlertState.FIRING ? 0.25 : 0.10)
        .setFiredAt(fired)
        // Resolved before now whatever the minute the test runs (HOUR is the previous hour): an
        // endsAt in the future keeps the alert active in Alertmanager until then.
        .setResolvedAt(state == AlertState.RESOLVED ? fired.plus(Duration.ofMinutes(30)) : null)
        .setMessage("agent_failure_rate: failure_rate 0.3 of agent " + agent + " " + state)
        .build();
  }

  private static void publish(TestKafka kafka, String topic, Alert... alerts) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (Alert a : alerts) {
        String key = a.getRule() + "|" + a.getOrganizationId() + "|" + a.getEntityKey();
        producer.send(new ProducerRecord<>(topic, key, AlertsFormat.AVRO.encode(a))).get();
      }
    }
  }

  /** The forwarder group's committed offset on the alerts topic's one partition (0 if none). */
  private static long committedEnd(TestKafka kafka, ForwarderConfig config) throws Exception {
    try (var admin = kafka.admin()) {
      var offsets =
          admin.listConsumerGroupOffsets(config.groupId()).partitionsToOffsetAndMetadata().get();
      return offsets.values().stream().mapToLong(o -> o == null ? 0 : o.offset()).sum();
    }
  }

  private void startAlertmanager() throws IOException {
    Path config = dir.resolve("alertmanager.yml");
    // The README's example route: grouped by rule and organization; group_wait and
    // group_interval shortened for the test.
    Files.writeString(
        config,
        String.join(
            "\n",
            "route:",
            "  receiver: hourglass-team",
            "  group_by: [alertname, organization_id]",
            "  group_wait: 1s",
            "  group_interval: 1s",
            "  repeat_interval: 4h",
            "receivers:",
            "  - name: hourglass-team",
            ""));
    Path storage = dir.resolve("storage");
    Files.createDirectories(storage);
    ProcessBuilder pb =
        new ProcessBuilder(
                "prometheus-alertmanager",
                "--config.file=" + config,
                "--storage.path=" + storage,
                "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=")
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(dir.resolve("alertmanager.log").toFile()));
    try {
      alertmanager = pb.start();
    } catch (IOException e) {
      throw new AssertionError(
          "prometheus-alertmanager is not installed: this test runs it. Install it with"
              + " `apt-get install -y prometheus-alertmanager` (CI installs it in .ci/run).",
          e);
    }
    await().atMost(WAIT).ignoreExceptions().until(() -> get("/-/ready").statusCode() == 200);
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** Alertmanager's alerts that are not resolved (silenced ones included). */
  private List<JsonNode> active() throws IOException, InterruptedException {
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(get("/api/v2/alerts").body()).forEach(out::add);
    return out;
  }

  /** Each group as {@code alertname|organization_id=<number of alerts>}. */
  private List<String> groups() throws IOException, InterruptedException {
    List<String> out = new ArrayList<>();
    for (JsonNode g : JSON.readTree(get("/api/v2/alerts/groups").body())) {
      out.add(
          g.path("labels").path("alertname").asText()
              + "|"
              + g.path("labels").path("organization_id").asText()
              + "="
              + g.path("alerts").size());
    }
    return out;
  }

  private static JsonNode byAgent(List<JsonNode> alerts, String org, String agent) {
    return alerts.stream()
        .filter(a -> a.path("labels").path("organization_id").asText().equals(org))
        .filter(a -> a.path("labels").path("entity_key").asText().equals(agent))
        .findFirst()
        .orElse(null);
  }

  private static Map<String, String> labels(JsonNode alert) {
    Map<String, String> out = new TreeMap<>();
    alert.path("labels").properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private String createSilence(String label, String value)
      throws IOException, InterruptedException {
    String body =
        JSON.writeValueAsString(
            Map.of(
                "matchers",
                List.of(Map.of("name", label, "value", value, "isRegex", false, "isEqual", true)),
                "startsAt",
                Instant.now().minusSeconds(1).toString(),
                "endsAt",
                Instant.now().plus(Duration.ofHours(1)).toString(),
                "createdBy",
                "AlertmanagerForwardIT",
                "comment",
                "maintenance of " + value));
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v2/silences"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).path("silenceID").asText();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
