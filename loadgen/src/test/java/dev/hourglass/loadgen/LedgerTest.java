package dev.hourglass.loadgen;

import static dev.hourglass.producer.TestEvents.EVENT;
import static dev.hourglass.producer.TestEvents.ORG;
import static dev.hourglass.producer.TestEvents.agent;
import static dev.hourglass.producer.TestEvents.integration;
import static dev.hourglass.producer.TestEvents.task;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.contract.Family;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {
  @Test
  void shouldWriteTaskLineWithKindAndHours() {
    Planned p = new Planned(0, Family.TASK, ORG, task(), null, Injected.LATE, null);

    assertThat(Ledger.line(p, "hourglass.task-events", 3, 17))
        .isEqualTo(
            "{\"event_id\":\""
                + EVENT
                + "\",\"type\":\"task\",\"organization_id\":\""
                + ORG
                + "\",\"entity_key\":\"11111111-2222-4333-8444-555555555555\","
                + "\"occurred_at\":1767225600000,\"kind\":\"COMPLETED\",\"estimated_hours\":4.25,"
                + "\"actual_hours\":3.5,\"injected\":\"late\",\"topic\":\"hourglass.task-events\","
                + "\"partition\":3,\"offset\":17}");
  }

  @Test
  void shouldWriteAgentLineWithEveryMeasure() {
    Planned p = new Planned(0, Family.AGENT, ORG, agent(), null, Injected.DUPLICATE, null);

    assertThat(Ledger.line(p, "t", 0, 1))
        .isEqualTo(
            "{\"event_id\":\""
                + EVENT
                + "\",\"type\":\"agent\",\"organization_id\":\""
                + ORG
                + "\",\"entity_key\":\"31111111-2222-4333-8444-555555555555\","
                + "\"occurred_at\":1767225600000,\"kind\":\"COMPLETED\",\"agent_type\":\"codegen\","
                + "\"tokens_used\":3000,\"cost_micros\":45000,\"duration_ms\":41500,"
                + "\"performance_score\":0.875,\"injected\":\"duplicate\",\"topic\":\"t\","
                + "\"partition\":0,\"offset\":1}");
  }

  @Test
  void shouldWriteIntegrationLineWithStatusAndExpectedReasonOfAnInvalidEvent() {
    Planned p =
        new Planned(0, Family.INTEGRATION, ORG, integration(), null, Injected.INVALID, "INVALID_X");

    assertThat(Ledger.line(p, "t", 1, 2))
        .isEqualTo(
            "{\"event_id\":\""
                + EVENT
                + "\",\"type\":\"integration\",\"organization_id\":\""
                + ORG
                + "\",\"entity_key\":\"github\",\"occurred_at\":1767225600000,"
                + "\"status\":\"ERROR\",\"processed\":false,\"latency_ms\":480,"
                + "\"injected\":\"invalid\",\"expected_reason\":\"INVALID_X\",\"topic\":\"t\","
                + "\"partition\":1,\"offset\":2}");
  }

  @Test
  void shouldWriteMisroutedLineAsAFullEventWithThePartitionItWasSentTo() {
    Planned p =
        new Planned(0, Family.INTEGRATION, ORG, integration(), null, Injected.MISROUTED, null);

    assertThat(Ledger.line(p, "t", 2, 9))
        .isEqualTo(
            "{\"event_id\":\""
                + EVENT
                + "\",\"type\":\"integration\",\"organization_id\":\""
                + ORG
                + "\",\"entity_key\":\"github\",\"occurred_at\":1767225600000,"
                + "\"status\":\"ERROR\",\"processed\":false,\"latency_ms\":480,"
                + "\"injected\":\"misrouted\",\"topic\":\"t\",\"partition\":2,\"offset\":9}");
  }

  @Test
  void shouldWritePoisonLineWithOnlyWhatIsKnown() {
    Planned p =
        new Planned(0, Family.AGENT, ORG, null, new byte[] {1}, Injected.POISON, "TRUNCATED");

    assertThat(Ledger.line(p, "t", 1, 2))
        .isEqualTo(
            "{\"type\":\"agent\",\"organization_id\":\""
                + ORG
                + "\",\"injected\":\"poison\",\"expected_reason\":\"TRUNCATED\",\"topic\":\"t\","
                + "\"partition\":1,\"offset\":2}");
  }

  @Test
  void shouldWriteOneLinePerSendToEachFileAndFlushOnClose(@TempDir Path dir) throws Exception {
    Path acked = dir.resolve("ledger.jsonl");
    Path failed = dir.resolve("ledger.jsonl.failed");
    Planned p = new Planned(0, Family.TASK, ORG, task(), null, Injected.NONE, null);

    try (Ledger ledger = Ledger.open(acked, failed)) {
      ledger.acknowledged(p, "t", 0, 5);
      ledger.acknowledged(p, "t", 0, 6);
      ledger.failed(p, "t", new TimeoutException("expired in the accumulator"));
    }

    List<String> lines = Files.readAllLines(acked, StandardCharsets.UTF_8);
    assertThat(lines).containsExactly(Ledger.line(p, "t", 0, 5), Ledger.line(p, "t", 0, 6));
    String base = Ledger.line(p, "t", -1, -1);
    assertThat(Files.readAllLines(failed, StandardCharsets.UTF_8))
        .containsExactly(
            base.substring(0, base.length() - 1)
                + ",\"error\":\"expired in the accumulator\","
                + "\"error_type\":\"org.apache.kafka.common.errors.TimeoutException\","
                + "\"retriable\":true}");
  }
}
