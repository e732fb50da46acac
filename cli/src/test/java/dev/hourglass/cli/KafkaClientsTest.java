package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.admin.KafkaAccess;
import dev.hourglass.contract.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** The ACLs {@code hourglass servers} and {@code kafka-access} create follow the settings. */
class KafkaClientsTest {
  @Test
  void shouldGrantTheConfiguredNamesAndNoDefaultOne() {
    KafkaAccess access =
        KafkaClients.access(
            new Settings(
                Map.of(
                    "topic.prefix", "acme.",
                    "streams.application.id", "acme-rollups",
                    "sink.group.id", "acme-writer",
                    "forwarder.group.id", "acme-pager")));

    List<AclBinding> bindings = access.bindings();
    assertThat(bindings)
        .isEqualTo(
            new KafkaAccess(Topics.withPrefix("acme."), "acme-rollups", "acme-writer", "acme-pager")
                .bindings());
    assertThat(names(bindings, ResourceType.GROUP, PatternType.LITERAL))
        .containsExactlyInAnyOrder("acme-writer", "acme-pager");
    assertThat(names(bindings, ResourceType.GROUP, PatternType.PREFIXED))
        .containsExactlyInAnyOrder("acme-rollups", KafkaAccess.ALERTS_TAIL_GROUP_PREFIX);
    assertThat(names(bindings, ResourceType.TRANSACTIONAL_ID, PatternType.PREFIXED))
        .containsExactly("acme-rollups");
    assertThat(names(bindings, ResourceType.TOPIC, PatternType.LITERAL))
        .hasSize(Topics.withPrefix("acme.").names().size())
        .allSatisfy(topic -> assertThat(topic).startsWith("acme."));
    // No resource of the default names (the principals keep theirs).
    assertThat(bindings.stream().map(b -> b.pattern().name()).distinct())
        .noneMatch(
            name ->
                name.startsWith(Topics.DEFAULT_PREFIX)
                    || List.of("hourglass-streams", "hourglass-sink", "hourglass-alerts-forwarder")
                        .contains(name));
  }

  @Test
  void shouldGrantTheDeclaredDefaultsWhenNothingIsSet() {
    assertThat(KafkaClients.access(new Settings(Map.of())).bindings())
        .isEqualTo(KafkaAccess.defaults(Topics.withPrefix(Topics.DEFAULT_PREFIX)).bindings());
  }

  private static List<String> names(
      List<AclBinding> bindings, ResourceType type, PatternType pattern) {
    return bindings.stream()
        .map(AclBinding::pattern)
        .filter(p -> p.resourceType() == type && p.patternType() == pattern)
        .map(p -> p.name())
        .distinct()
        .toList();
  }
}
