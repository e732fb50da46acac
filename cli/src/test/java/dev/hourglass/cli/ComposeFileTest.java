package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hourglass.admin.TopicSettings;
import dev.hourglass.config.Declarations;
import dev.hourglass.config.Shared;
import dev.hourglass.config.Sources;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml sets only configuration the application knows, with values it accepts, and
 * names only services the README describes.
 */
class ComposeFileTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static JsonNode services;

  @BeforeAll
  static void read() throws IOException {
    services =
        new ObjectMapper(new YAMLFactory())
            .readTree(ROOT.resolve("docker-compose.yml").toFile())
            .path("services");
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
