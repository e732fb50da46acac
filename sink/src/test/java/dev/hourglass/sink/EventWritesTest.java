package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThatCode;

import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.events.TaskEventKind;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventWritesTest {
  private static final String ORG = "00000000-0000-4000-8000-000000000001";
  private static final String RUN = "00000000-0000-4000-8000-0000000000aa";

  // Neither event carries a start time (a completion, then the same completion sent again): folding
  // the second into the first must keep "no start" instead of unboxing a null.
  @Test
  void shouldFoldTwoCompletionsOfOneAgentRunInOneBatch() {
    EventWrites writes = new EventWrites();
    AgentEvent completed =
        agent("00000000-0000-4000-8000-000000000011", AgentEventKind.COMPLETED, 5_000);
    writes.add(completed);
    assertThatCode(() -> writes.add(completed)).doesNotThrowAnyException();
  }

  @Test
  void shouldFoldTwoCompletionsOfOneTaskExecutionInOneBatch() {
    EventWrites writes = new EventWrites();
    TaskEvent completed =
        task("00000000-0000-4000-8000-000000000021", TaskEventKind.COMPLETED, 5_000);
    writes.add(completed);
    assertThatCode(() -> writes.add(completed)).doesNotThrowAnyException();
  }

  private static AgentEvent agent(String eventId, AgentEventKind kind, long at) {
    return AgentEvent.newBuilder()
        .setEventId(eventId)
        .setOccurredAt(Instant.ofEpochMilli(at))
        .setOrganizationId(ORG)
        .setAgentId("00000000-0000-4000-8000-000000000002")
        .setAgentType("codegen")
        .setAgentTaskId(RUN)
        .setKind(kind)
        .setTokensUsed(10)
        .setCostMicros(20)
        .setDurationMs(kind == AgentEventKind.STARTED ? null : 4_000L)
        .build();
  }

  private static TaskEvent task(String eventId, TaskEventKind kind, long at) {
    return TaskEvent.newBuilder()
        .setEventId(eventId)
        .setOccurredAt(Instant.ofEpochMilli(at))
        .setOrganizationId(ORG)
        .setProjectId("00000000-0000-4000-8000-000000000003")
        .setTaskId("00000000-0000-4000-8000-000000000004")
        .setKind(kind)
        .setPriority(3)
        .setExecutionId(RUN)
        .setMetadata(Map.of())
        .build();
  }
}
