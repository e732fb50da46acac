package dev.hourglass.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.bench.RollupWatch.RollupCount;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.events.TaskEventKind;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyTrackerTest {
  private static final String ORG = "00000000-0000-0000-0000-000000000001";
  private static final String PROJECT = "00000000-0000-0000-0000-00000000000a";
  private static final Instant HOUR = Instant.parse("2026-11-22T07:00:00Z");

  @Test
  void shouldResolveAnEventOnceItsRowCountsIt() {
    LatencyTracker tracker = new LatencyTracker(0);
    tracker.sending(event(HOUR.plusSeconds(10)), 1_000_000L);
    tracker.sending(event(HOUR.plusSeconds(20)), 3_000_000L);

    tracker.observed(List.of(row(HOUR, 1)), 11_000_000L);
    assertThat(tracker.unresolved()).isEqualTo(1);
    tracker.observed(List.of(row(HOUR, 2)), 23_000_000L);

    assertThat(tracker.unresolved()).isZero();
    assertThat(tracker.histogram().getTotalCount()).isEqualTo(2);
    // 10 ms and 20 ms, in microseconds.
    assertThat(tracker.histogram().getCountAtValue(10_000)).isEqualTo(1);
    assertThat(tracker.histogram().getCountAtValue(20_000)).isEqualTo(1);
  }

  @Test
  void shouldKeepEventsOfAnotherHourPending() {
    LatencyTracker tracker = new LatencyTracker(0);
    tracker.sending(event(HOUR.plusSeconds(3_600)), 1_000L);

    tracker.observed(List.of(row(HOUR, 5)), 2_000L);

    assertThat(tracker.unresolved()).isEqualTo(1);
    assertThat(tracker.histogram().getTotalCount()).isZero();
  }

  @Test
  void shouldResolveButNotRecordEventsSentDuringWarmUp() {
    LatencyTracker tracker = new LatencyTracker(5_000_000L);
    tracker.sending(event(HOUR), 1_000_000L);
    tracker.sending(event(HOUR), 6_000_000L);

    tracker.observed(List.of(row(HOUR, 2)), 8_000_000L);

    assertThat(tracker.unresolved()).isZero();
    assertThat(tracker.histogram().getTotalCount()).isEqualTo(1);
    assertThat(tracker.histogram().getCountAtValue(2_000)).isEqualTo(1);
  }

  private static TaskEvent event(Instant at) {
    TaskEvent e = new TaskEvent();
    e.setEventId("e-" + at.toEpochMilli());
    e.setOccurredAt(at);
    e.setOrganizationId(ORG);
    e.setProjectId(PROJECT);
    e.setTaskId("t");
    e.setKind(TaskEventKind.CREATED);
    return e;
  }

  private static RollupCount row(Instant windowStart, long count) {
    return new RollupCount("task_rollups_hourly", ORG, PROJECT, windowStart, count);
  }
}
