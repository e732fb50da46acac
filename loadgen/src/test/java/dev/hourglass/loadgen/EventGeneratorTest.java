package dev.hourglass.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.avro.BadRecordException;
import dev.hourglass.avro.EventValidator;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.avro.Violation;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class EventGeneratorTest {
  private static final Instant END = Instant.parse("2026-01-01T12:00:00Z");
  private static final Duration GRACE = Duration.ofMinutes(10);
  private static final Duration SPAN = Duration.ofHours(6);
  private static final SingleObjectFormat FORMAT = SingleObjectFormat.standard();

  private static Map<Injected, Double> faults() {
    Map<Injected, Double> f = new EnumMap<>(Injected.class);
    f.put(Injected.LATE, 0.02);
    f.put(Injected.OUT_OF_ORDER, 0.05);
    f.put(Injected.INVALID, 0.013);
    f.put(Injected.POISON, 0.007);
    f.put(Injected.DUPLICATE, 0.031);
    f.put(Injected.MISROUTED, 0.017);
    return f;
  }

  private static List<Planned> generate(long seed, int n, Map<Injected, Double> fractions) {
    EventGenerator g = new EventGenerator(seed, n, 20, GRACE, SPAN, END, fractions);
    List<Planned> out = new ArrayList<>();
    while (g.hasNext()) {
      out.add(g.next());
    }
    return out;
  }

  private static byte[] bytes(Planned p) {
    return p.raw() != null ? p.raw() : FORMAT.encode(p.event());
  }

  @Test
  void shouldGenerateTheSameEventsByteForByteForTheSameSeed() {
    List<Planned> first = generate(42, 5_000, faults());
    List<Planned> second = generate(42, 5_000, faults());

    assertThat(second).hasSize(5_000);
    for (int i = 0; i < first.size(); i++) {
      assertThat(bytes(second.get(i))).as("send %d", i).isEqualTo(bytes(first.get(i)));
      assertThat(second.get(i).injected()).isEqualTo(first.get(i).injected());
      assertThat(second.get(i).key()).isEqualTo(first.get(i).key());
    }
  }

  @Test
  void shouldGenerateOtherEventsForAnotherSeed() {
    List<Planned> a = generate(1, 100, Map.of());
    List<Planned> b = generate(2, 100, Map.of());

    assertThat(bytes(b.get(0))).isNotEqualTo(bytes(a.get(0)));
  }

  @Test
  void shouldInjectExactlyTheRequestedNumberOfEachFault() {
    List<Planned> events = generate(7, 10_000, faults());

    Map<Injected, Integer> counts = new EnumMap<>(Injected.class);
    events.forEach(p -> counts.merge(p.injected(), 1, Integer::sum));
    assertThat(counts)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                Injected.NONE, 8_620,
                Injected.LATE, 200,
                Injected.OUT_OF_ORDER, 500,
                Injected.INVALID, 130,
                Injected.POISON, 70,
                Injected.DUPLICATE, 310,
                Injected.MISROUTED, 170));
  }

  @Test
  void shouldReportPlannedCountsRoundedPerFault() {
    EventGenerator g = new EventGenerator(7, 999, 20, GRACE, SPAN, END, faults());

    assertThat(g.plannedCounts())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                Injected.NONE, 861L,
                Injected.LATE, 20L,
                Injected.OUT_OF_ORDER, 50L,
                Injected.INVALID, 13L,
                Injected.POISON, 7L,
                Injected.DUPLICATE, 31L,
                Injected.MISROUTED, 17L));
  }

  @Test
  void shouldRefuseFractionsThatLeaveNoCleanFirstEvent() {
    assertThatThrownBy(
            () -> new EventGenerator(1, 10, 20, GRACE, SPAN, END, Map.of(Injected.POISON, 1.0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Invalid value 10 for configuration fault fractions: they ask for 10 faulty events out"
                + " of 10, at most 9 (the first event is always clean)");
  }

  @Test
  void shouldPassValidationExceptForInvalidEventsWhichFailWithTheirExpectedReason() {
    EventValidator validator = EventValidator.standard(Clock.fixed(END, ZoneOffset.UTC));
    Map<String, Integer> reasons = new HashMap<>();

    for (Planned p : generate(3, 20_000, faults())) {
      if (p.injected() == Injected.POISON) {
        continue;
      }
      Optional<Violation> violation = validator.validate(p.event());
      if (p.injected() == Injected.INVALID) {
        assertThat(violation).as("send %d", p.index()).isPresent();
        assertThat(violation.get().reasonCode()).isEqualTo(p.expectedReason());
        reasons.merge(p.expectedReason(), 1, Integer::sum);
      } else {
        assertThat(violation).as("send %d: %s", p.index(), p.event()).isEmpty();
      }
    }
    assertThat(reasons.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(260);
    assertThat(reasons.keySet())
        .contains(
            Violation.INVALID_NEGATIVE,
            Violation.INVALID_UUID,
            Violation.INVALID_FUTURE_TIME,
            Violation.INVALID_TOO_LONG,
            Violation.INVALID_RANGE,
            Violation.INVALID_REQUIRED);
  }

  @Test
  void shouldMakePoisonThatDoesNotDecodeForTheExpectedReason() {
    Set<String> reasons = new HashSet<>();
    for (Planned p : generate(5, 20_000, faults())) {
      if (p.injected() != Injected.POISON) {
        continue;
      }
      assertThat(p.event()).isNull();
      assertThatThrownBy(() -> FORMAT.decode("t", p.raw()))
          .isInstanceOfSatisfying(
              BadRecordException.class,
              e -> assertThat(e.reason().name()).isEqualTo(p.expectedReason()));
      reasons.add(p.expectedReason());
    }
    assertThat(reasons)
        .containsExactlyInAnyOrder("NOT_SINGLE_OBJECT", "UNKNOWN_FINGERPRINT", "TRUNCATED");
  }

  @Test
  void shouldResendARecentCleanEventAsDuplicateWithinAnHourOfEventTime() {
    List<Planned> events = generate(11, 10_000, faults());
    Map<String, Planned> clean = new HashMap<>();
    int duplicates = 0;
    for (Planned p : events) {
      if (p.injected() == Injected.NONE) {
        clean.put(eventId(p.event()), p);
      } else if (p.injected() == Injected.DUPLICATE) {
        Planned original = clean.get(eventId(p.event()));
        assertThat(original).as("original of send %d", p.index()).isNotNull();
        assertThat(original.index()).isLessThan(p.index());
        assertThat(FORMAT.encode(p.event())).isEqualTo(FORMAT.encode(original.event()));
        assertThat(p.key()).isEqualTo(original.key());
        assertThat(baseTime(p.index(), 10_000) - occurredAt(original.event()))
            .isBetween(0L, Duration.ofHours(1).toMillis());
        duplicates++;
      }
    }
    assertThat(duplicates).isEqualTo(310);
  }

  @Test
  void shouldMoveLateEventsBeyondGracePlusAnHourAndOutOfOrderEventsWithinHalfTheGrace() {
    List<Planned> events = generate(13, 10_000, faults());
    long grace = GRACE.toMillis();
    for (Planned p : events) {
      long shift = baseTime(p.index(), 10_000) - occurredAt(p.event());
      if (p.injected() == Injected.LATE) {
        assertThat(shift).isGreaterThan(grace + Duration.ofHours(1).toMillis());
      } else if (p.injected() == Injected.OUT_OF_ORDER) {
        assertThat(shift).isGreaterThanOrEqualTo(1_000L).isLessThan(grace / 2);
      } else if (p.injected() == Injected.NONE || p.injected() == Injected.MISROUTED) {
        // A misrouted event is the planned event unchanged: only its partition is wrong.
        assertThat(shift).isZero();
      }
    }
  }

  @Test
  void shouldSpreadEventTimeOverSixHoursEndingAtTheEnd() {
    List<Planned> events = generate(17, 2_000, Map.of());

    long first = occurredAt(events.get(0).event());
    long last = occurredAt(events.get(events.size() - 1).event());
    assertThat(first).isEqualTo(END.minus(SPAN).toEpochMilli());
    assertThat(last)
        .isLessThan(END.toEpochMilli())
        .isGreaterThan(END.minusSeconds(60).toEpochMilli());
    for (int i = 1; i < events.size(); i++) {
      assertThat(occurredAt(events.get(i).event()))
          .isGreaterThanOrEqualTo(occurredAt(events.get(i - 1).event()));
    }
  }

  @Test
  void shouldSimulateAThousandAgentsAndAllThreeEventTypesWithLifecycles() {
    EventGenerator g = new EventGenerator(19, 20_000, 20, GRACE, SPAN, END, Map.of());
    Map<String, Integer> byKind = new HashMap<>();
    while (g.hasNext()) {
      SpecificRecord e = g.next().event();
      String kind =
          e instanceof TaskEvent t
              ? "task:" + t.getKind()
              : e instanceof AgentEvent a
                  ? "agent:" + a.getKind()
                  : "integration:" + ((IntegrationEvent) e).getStatus();
      byKind.merge(kind, 1, Integer::sum);
    }

    assertThat(g.agentCount()).isEqualTo(1_000);
    assertThat(byKind.keySet())
        .containsExactlyInAnyOrder(
            "task:CREATED",
            "task:STARTED",
            "task:COMPLETED",
            "task:FAILED",
            "task:CANCELLED",
            "agent:STARTED",
            "agent:COMPLETED",
            "agent:FAILED",
            "integration:SUCCESS",
            "integration:ERROR");
  }

  private static long baseTime(long index, long n) {
    long span = SPAN.toMillis();
    return END.toEpochMilli() - span + (long) ((double) span * index / n);
  }

  static String eventId(SpecificRecord e) {
    if (e instanceof TaskEvent t) {
      return t.getEventId();
    } else if (e instanceof AgentEvent a) {
      return a.getEventId();
    }
    return ((IntegrationEvent) e).getEventId();
  }

  static long occurredAt(SpecificRecord e) {
    if (e == null) {
      return 0;
    } else if (e instanceof TaskEvent t) {
      return t.getOccurredAt().toEpochMilli();
    } else if (e instanceof AgentEvent a) {
      return a.getOccurredAt().toEpochMilli();
    }
    return ((IntegrationEvent) e).getOccurredAt().toEpochMilli();
  }
}
