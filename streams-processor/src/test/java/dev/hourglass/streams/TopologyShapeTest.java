package dev.hourglass.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

class TopologyShapeTest {
  private final ProcessorConfig config =
      ProcessorConfig.from(Map.of(ProcessorConfig.BOOTSTRAP_SERVERS, "localhost:9092"));
  private final Topology topology =
      HourglassTopology.build(
          config, config.topics(), config.rules(), Routing.uniform(config.applicationId(), 3));

  @Test
  void shouldReadAndWriteOnlyItsTopicsAndOneReroutedTopicPerFamily() {
    TopologyDescription description = topology.describe();
    Set<String> sourceTopics = new HashSet<>();
    Set<String> sinkTopics = new HashSet<>();
    for (TopologyDescription.Subtopology sub : description.subtopologies()) {
      for (TopologyDescription.Node node : sub.nodes()) {
        if (node instanceof TopologyDescription.Source source) {
          sourceTopics.addAll(source.topicSet());
        } else if (node instanceof TopologyDescription.Sink sink) {
          sinkTopics.add(sink.topic());
        }
      }
    }
    assertThat(sourceTopics)
        .containsExactlyInAnyOrder(
            "hourglass.task-events",
            "hourglass.agent-events",
            "hourglass.integration-events",
            "hourglass-streams-task-rerouted-repartition",
            "hourglass-streams-agent-rerouted-repartition",
            "hourglass-streams-integration-rerouted-repartition");
    assertThat(sinkTopics)
        .containsExactlyInAnyOrder(
            "hourglass.rollups",
            "hourglass.alerts",
            "hourglass.dead-letters",
            "hourglass.stats",
            "hourglass-streams-task-rerouted-repartition",
            "hourglass-streams-agent-rerouted-repartition",
            "hourglass-streams-integration-rerouted-repartition");
  }

  @Test
  void shouldKeepEachFamilyInItsOwnSubtopologyWithItsFiveStores() {
    TopologyDescription description = topology.describe();
    assertThat(description.subtopologies()).hasSize(3);
    assertThat(description.globalStores()).isEmpty();
    for (TopologyDescription.Subtopology sub : description.subtopologies()) {
      TopologyDescription.Processor processor =
          sub.nodes().stream()
              .filter(n -> n instanceof TopologyDescription.Processor)
              .map(n -> (TopologyDescription.Processor) n)
              .findFirst()
              .orElseThrow();
      String family = processor.name().replace("-processor", "");
      assertThat(processor.stores())
          .containsExactlyInAnyOrder(
              family + "-windows",
              family + "-dedup",
              family + "-alert-state",
              family + "-stats-state",
              family + "-closed-hours");
    }
  }
}
