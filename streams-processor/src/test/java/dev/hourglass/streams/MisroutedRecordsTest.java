package dev.hourglass.streams;

import static dev.hourglass.streams.Driver.H9;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.contract.Family;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.rollups.DeadLetter;
import dev.hourglass.rollups.IntegrationRollup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records on a partition that is not their key's (docs/contracts.md, "Misrouted records"). The
 * driver runs every task as partition 0; with three partitions, an organization whose key maps to
 * partition 2 is misrouted there, and one whose key maps to 0 is not.
 */
class MisroutedRecordsTest {
  private static final int PARTITIONS = 3;
  private static final String OWNED_HERE = organizationOwnedBy(0);
  private static final String OWNED_ELSEWHERE = organizationOwnedBy(2);

  @TempDir Path stateDir;
  private Driver d;
  private TestInputTopic<byte[], byte[]> reroutedIn;
  private TestOutputTopic<byte[], byte[]> reroutedOut;

  @BeforeEach
  void start() {
    d = new Driver(stateDir, Map.of(), PARTITIONS);
    String rerouted = d.routing.reroutedTopic(Family.INTEGRATION);
    reroutedIn =
        d.driver.createInputTopic(
            rerouted, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
    reroutedOut =
        d.driver.createOutputTopic(
            rerouted, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
  }

  @AfterEach
  void stop() {
    d.close();
  }

  static String organizationOwnedBy(int partition) {
    for (int i = 0; ; i++) {
      String org = UUID.nameUUIDFromBytes(("org-" + i).getBytes(StandardCharsets.UTF_8)).toString();
      if (Routing.owner(Driver.key(org), PARTITIONS) == partition) {
        return org;
      }
    }
  }

  private static IntegrationEvent event(String org, int minute) {
    return Events.integration(org, H9.plusSeconds(60L * minute), IntegrationStatus.SUCCESS)
        .setLatencyMs(10)
        .build();
  }

  private String statsJson() {
    return d.stats().get(d.topics.events(Family.INTEGRATION).name() + "-0");
  }

  private long eventCount(SpecificRecord rollup) {
    return ((IntegrationRollup) rollup).getMeasures().getEventCount();
  }

  @Test
  void shouldForwardOnlyTheMisroutedRecordAndCountItOnceInItsOwnersWindow() {
    for (int minute = 0; minute < 10; minute++) {
      d.send(event(OWNED_HERE, minute));
    }
    IntegrationEvent misrouted = event(OWNED_ELSEWHERE, 10);
    d.send(misrouted);
    d.tick();

    // Forwarded unchanged, once: the well-routed ten paid nothing.
    assertThat(reroutedOut.readKeyValuesToList())
        .singleElement()
        .satisfies(
            kv -> {
              assertThat(new String(kv.key, StandardCharsets.UTF_8)).isEqualTo(OWNED_ELSEWHERE);
              assertThat(kv.value).isEqualTo(Driver.encode(misrouted));
            });
    assertThat(d.rollups())
        .extracting(r -> ((IntegrationRollup) r).getOrganizationId(), this::eventCount)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(OWNED_HERE, 10L),
            org.assertj.core.groups.Tuple.tuple(OWNED_ELSEWHERE, 1L));
    assertThat(statsJson())
        .isEqualTo(
            "{\"counted\":11,\"duplicates_suppressed\":0,\"late_corrected\":0,\"rerouted\":1,"
                + "\"dead_lettered\":{},\"stream_time\":"
                + H9.plusSeconds(601).toEpochMilli()
                + "}");
    assertThat(d.deadLetters.isEmpty()).isTrue();
  }

  @Test
  void shouldCountARecordOfTheReroutedTopicWithoutForwardingItAgain() {
    // Records of the rerouted topic are on their owner's partition by construction: not checked.
    IntegrationEvent event = event(OWNED_ELSEWHERE, 5);
    reroutedIn.pipeInput(Driver.key(OWNED_ELSEWHERE), Driver.encode(event));
    d.tick();

    assertThat(reroutedOut.isEmpty()).isTrue();
    assertThat(d.rollups()).singleElement().extracting(this::eventCount).isEqualTo(1L);
    assertThat(statsJson())
        .startsWith(
            "{\"counted\":1,\"duplicates_suppressed\":0,\"late_corrected\":0,\"rerouted\":0,");
  }

  @Test
  void shouldSuppressAMisroutedCopyOfAnEventItsOwnerAlreadyCounted() {
    IntegrationEvent event = event(OWNED_ELSEWHERE, 5);
    reroutedIn.pipeInput(Driver.key(OWNED_ELSEWHERE), Driver.encode(event));
    d.send(event);
    d.tick();

    assertThat(d.rollups()).singleElement().extracting(this::eventCount).isEqualTo(1L);
    assertThat(statsJson())
        .startsWith(
            "{\"counted\":1,\"duplicates_suppressed\":1,\"late_corrected\":0,\"rerouted\":1,");
  }

  @Test
  void shouldDeadLetterAMisroutedInvalidEventWhereItArrived() {
    d.agents.pipeInput(
        Driver.key(OWNED_ELSEWHERE),
        Driver.encode(
            Events.agent(OWNED_ELSEWHERE, H9, AgentEventKind.STARTED).setCostMicros(-5).build()));
    d.tick();

    DeadLetter dl = d.deadLetters.readValue();
    assertThat(dl.getReasonCode()).isEqualTo("INVALID_NEGATIVE");
    assertThat(dl.getSourceTopic()).isEqualTo(d.topics.events(Family.AGENT).name());
    assertThat(d.stats().get(d.topics.events(Family.AGENT).name() + "-0"))
        .isEqualTo(
            "{\"counted\":0,\"duplicates_suppressed\":0,\"late_corrected\":0,\"rerouted\":0,"
                + "\"dead_lettered\":{\"INVALID_NEGATIVE\":1},\"stream_time\":null}");
  }

  @Test
  void shouldDeadLetterANullKeyAsInvalidKeyWithoutForwardingIt() {
    d.integrations.pipeInput((byte[]) null, Driver.encode(event(OWNED_ELSEWHERE, 1)));

    assertThat(d.deadLetters.readValue().getReasonCode()).isEqualTo("INVALID_KEY");
    assertThat(reroutedOut.isEmpty()).isTrue();
  }

  @Test
  void shouldJudgeAMisroutedEventLateByItsOwnersStreamTime() {
    // The owner judges lateness by its own stream time: a misrouted event for an hour that the
    // owner has closed becomes a correction there, still counted once.
    reroutedIn.pipeInput(
        Driver.key(OWNED_ELSEWHERE),
        Driver.encode(
            Events.integration(
                    OWNED_ELSEWHERE, H9.plus(Duration.ofHours(2)), IntegrationStatus.SUCCESS)
                .build()));
    d.send(event(OWNED_ELSEWHERE, 30));
    d.tick();

    assertThat(statsJson())
        .startsWith(
            "{\"counted\":2,\"duplicates_suppressed\":0,\"late_corrected\":1,\"rerouted\":1,");
  }
}
