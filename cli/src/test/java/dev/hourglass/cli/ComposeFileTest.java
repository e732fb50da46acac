package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hourglass.admin.KafkaAccess;
import dev.hourglass.admin.TopicSettings;
import dev.hourglass.config.Declarations;
import dev.hourglass.config.Shared;
import dev.hourglass.config.Sources;
import dev.hourglass.embedded.KafkaSecurity;
import dev.hourglass.forwarder.ForwarderConfig;
import dev.hourglass.sink.SinkConfig;
import dev.hourglass.streams.ProcessorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * docker-compose.yml sets only configuration the application knows, with values it accepts, and
 * names only services the README describes.
 */
class ComposeFileTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static JsonNode services;
  private static JsonNode secrets;

  @BeforeAll
  static void read() throws IOException {
    JsonNode compose =
        new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
    services = compose.path("services");
    secrets = compose.path("secrets");
  }

  @Test
  void shouldFindEverySecretWhereKafkaSecretsWritesIt(@TempDir Path dir) throws Exception {
    Path written = dir.resolve("secrets/kafka");
    assertThat(
            new CommandLine(new KafkaSecretsCommand())
                .execute("--dir", written.toString(), "--host", "kafka", "--for-compose"))
        .isZero();

    List<String> missing = new ArrayList<>();
    secrets
        .properties()
        .forEach(
            secret -> {
              String file = secret.getValue().path("file").asText();
              assertThat(file).startsWith("./secrets/kafka/");
              if (!Files.isRegularFile(dir.resolve(file.substring(2)))) {
                missing.add(secret.getKey() + ": " + file);
              }
            });
    assertThat(missing).isEmpty();
    assertThat(secrets.size()).isEqualTo(8);
    // The broker's own tools read the key and certificate where compose mounts them.
    assertThat(Files.readString(written.resolve(KafkaSecretsCommand.BROKER_CLIENT)))
        .contains("ssl.keystore.location=/run/secrets/kafka_broker_pem\n")
        .contains("ssl.truststore.location=/run/secrets/kafka_ca\n");
    // Every secret a service names is declared, and each component reads its own password.
    services
        .properties()
        .forEach(
            service ->
                service
                    .getValue()
                    .path("secrets")
                    .forEach(name -> assertThat(secrets.has(name.asText())).isTrue()));
    for (String component : List.of("streams", "sink", "forward", "produce", "topics")) {
      String jaas =
          services
              .path(component)
              .path("environment")
              .path("HOURGLASS_KAFKA_SASL_JAAS_CONFIG")
              .asText();
      assertThat(jaas).as(component).contains("password=\"$${dir:/run/secrets:kafka_");
    }
  }

  @Test
  void shouldLogInAsKnownPrincipalsUnderTheNamesKafkaAccessGrants() {
    // kafka-access grants the names its own settings give; every component must use those.
    List<AclBinding> granted = KafkaClients.access(settingsOf("kafka-access")).bindings();
    Map<String, String> principals =
        Map.of(
            "topics", KafkaSecurity.ADMIN,
            "streams", KafkaAccess.STREAMS,
            "sink", KafkaAccess.SINK,
            "forward", KafkaAccess.ALERTS,
            "produce", KafkaAccess.PRODUCER);
    Pattern username = Pattern.compile("username=\"([^\"]+)\"");
    principals.forEach(
        (service, principal) -> {
          String jaas =
              services
                  .path(service)
                  .path("environment")
                  .path("HOURGLASS_KAFKA_SASL_JAAS_CONFIG")
                  .asText();
          Matcher m = username.matcher(jaas);
          assertThat(m.find()).as(service).isTrue();
          assertThat(m.group(1)).as(service).isEqualTo(principal);
          assertThat(KafkaClients.access(settingsOf(service)).bindings())
              .as(service)
              .isEqualTo(granted);
        });
    // Every service that logs in to Kafka is one of those.
    services
        .properties()
        .forEach(
            service -> {
              if (service.getValue().path("environment").has("HOURGLASS_KAFKA_SASL_JAAS_CONFIG")) {
                assertThat(principals).containsKey(service.getKey());
              }
            });
  }

  private static Settings settingsOf(String service) {
    Map<String, String> env = new LinkedHashMap<>();
    services
        .path(service)
        .path("environment")
        .properties()
        .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
    return new Settings(Sources.read(null, env));
  }

  @Test
  void shouldSetOnlyKnownConfigurationKeysWithValidValues() {
    List<String> problems = new ArrayList<>();
    services
        .properties()
        .forEach(
            service -> {
              Map<String, String> env = new LinkedHashMap<>();
              service
                  .getValue()
                  .path("environment")
                  .properties()
                  .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
              try {
                Settings s = new Settings(Sources.read(null, env));
                switch (service.getKey()) {
                  case "streams" -> ProcessorConfig.from(s.read(ProcessorConfig.DECLARATIONS));
                  case "sink" -> SinkConfig.from(s.read(SinkConfig.DECLARATIONS));
                  case "forward" -> ForwarderConfig.from(s.read(ForwarderConfig.DECLARATIONS));
                  case "topics" -> TopicSettings.from(s.read(TopicsCommand.DECLARATIONS));
                  case "migrate" -> s.read(Shared.JDBC);
                  case "produce" -> s.read(Shared.KAFKA);
                  default -> s.read(Declarations.union());
                }
              } catch (RuntimeException e) {
                problems.add(service.getKey() + ": " + e.getMessage());
              }
            });
    assertThat(problems).isEmpty();
  }

  @Test
  void shouldDescribeEveryServiceInTheReadme() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    List<String> missing = new ArrayList<>();
    services
        .fieldNames()
        .forEachRemaining(
            name -> {
              if (!readme.contains("`" + name + "`")) {
                missing.add(name);
              }
            });
    assertThat(missing).as("services of docker-compose.yml not described in README.md").isEmpty();
  }
}
