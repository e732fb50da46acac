package dev.hourglass.streams;

import static dev.hourglass.streams.Driver.H9;
import static dev.hourglass.streams.Driver.WALL_START;
import static dev.hourglass.streams.Events.AGENT;
import static dev.hourglass.streams.Events.ORG;
import static dev.hourglass.streams.Events.ORG_2;
import static dev.hourglass.streams.Events.PROJECT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.avro.LogHistogram;
import dev.hourglass.contract.Family;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.events.TaskEventKind;
import dev.hourglass.rollups.AgentMeasures;
import dev.hourglass.rollups.AgentRollup;
import dev.hourglass.rollups.DeadLetter;
import dev.hourglass.rollups.IntegrationMeasures;
import dev.hourglass.rollups.IntegrationRollup;
import dev.hourglass.rollups.TaskCorrection;
import dev.hourglass.rollups.TaskMeasures;
import dev.hourglass.rollups.TaskRollup;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HourglassTopologyTest {
  private static final Instant H10 = H9.plus(Duration.ofHours(1));
  private static final Instant H11 = H9.plus(Duration.ofHours(2));

  @TempDir Path stateDir;
  private Driver d;

  @BeforeEach
  void start() {
    d = new Driver(stateDir);
  }

  @AfterEach
  void stop() {
    d.close();
  }

  static List<Long> histogram(int... buckets) {
    Long[] counts = new Long[LogHistogram.BUCKETS];
    Arrays.fill(counts, 0L);
    for (int b : buckets) {
      counts[b]++;
    }
    return Arrays.asList(counts);
  }

  private static Instant at(Instant hour, String minutesSeconds) {
    String[] p = minutesSeconds.split(":");
    return hour.plus(Duration.ofMinutes(Long.parseLong(p[0])))
        .plusMillis(Math.round(Double.parseDouble(p[1]) * 1000));
  }

  @Test
  void shouldAddUpEveryTaskMeasure() {
    d.send(Events.task(ORG, at(H9, "01:00"), TaskEventKind.CREATED).setEstimatedHours(2.0).build());
    d.send(Events.task(ORG, at(H9, "02:00"), TaskEventKind.ASSIGNED).build());
    d.send(Events.task(ORG, at(H9, "03:00"), TaskEventKind.STARTED).build());
    d.send(Events.task(ORG, at(H9, "04:00"), TaskEventKind.COMPLETED).setActualHours(1.5).build());
    d.send(Events.task(ORG, at(H9, "05:00"), TaskEventKind.FAILED).setActualHours(0.25).build());
    d.send(
        Events.task(ORG, at(H9, "06:00"), TaskEventKind.CANCELLED).setEstimatedHours(0.5).build());
    d.tick();

    // 1.5 h = 5,400,000 ms lies in (2^22.25, 2^22.5]: bucket 90; 0.25 h = 900,000 ms in
    // (2^19.75, 2^20]: bucket 80.
    TaskMeasures expected =
        new TaskMeasures(6L, 1L, 1L, 1L, 1L, 1L, 1L, 2.5, 1.75, 2L, histogram(80, 90));
    assertThat(d.rollups())
        .containsExactly(
            new TaskRollup(ORG, PROJECT, H9, H10, expected, 1L, false, WALL_START.plusSeconds(1)));
  }

  @Test
  void shouldAddUpEveryAgentMeasure() {
    d.send(Events.agent(ORG, at(H9, "01:00"), AgentEventKind.STARTED).build());
    d.send(
        Events.agent(ORG, at(H9, "02:00"), AgentEventKind.COMPLETED)
            .setTokensUsed(1000)
            .setCostMicros(250_000)
            .setPerformanceScore(0.75)
            .setDurationMs(120_000L)
            .build());
    d.send(
        Events.agent(ORG, at(H9, "03:00"), AgentEventKind.FAILED)
            .setTokensUsed(500)
            .setCostMicros(100_000)
            .setPerformanceScore(0.25)
            .setDurationMs(3_000L)
            .build());
    d.send(
        Events.agent(ORG, at(H9, "04:00"), AgentEventKind.STARTED)
            .setTokensUsed(10)
            .setCostMicros(5)
            .build());
    d.tick();

    // 120,000 ms in (2^16.75, 2^17]: bucket 68; 3,000 ms in (2^11.5, 2^11.75]: bucket 47.
    AgentMeasures expected =
        new AgentMeasures(
            4L, 2L, 1L, 1L, 1510L, 350_005L, 1.0, 2L, 123_000L, 2L, histogram(47, 68));
    assertThat(d.rollups())
        .containsExactly(
            new AgentRollup(
                ORG, AGENT, "codegen", H9, H10, expected, 1L, false, WALL_START.plusSeconds(1)));
  }

  @Test
  void shouldAddUpEveryIntegrationMeasure() {
    d.send(
        Events.integration(ORG, at(H9, "01:00"), IntegrationStatus.SUCCESS)
            .setLatencyMs(100)
            .build());
    d.send(
        Events.integration(ORG, at(H9, "02:00"), IntegrationStatus.ERROR)
            .setLatencyMs(2000)
            .build());
    d.send(
        Events.integration(ORG, at(H9, "03:00"), IntegrationStatus.SUCCESS)
            .setProcessed(false)
            .setLatencyMs(0)
            .build());
    d.tick();

    // 100 ms in (2^6.5, 2^6.75]: bucket 27; 2000 ms in (2^10.75, 2^11]: bucket 44; 0 ms: bucket 0.
    IntegrationMeasures expected =
        new IntegrationMeasures(3L, 2L, 1L, 1L, 2100L, histogram(0, 27, 44));
    assertThat(d.rollups())
        .containsExactly(
            new IntegrationRollup(
                ORG, "github", H9, H10, expected, 1L, false, WALL_START.plusSeconds(1)));
  }

  @Test
  void shouldPutEventsAtTheExactHourBoundariesIntoTheirHour() {
    d.send(Events.task(ORG, at(H9, "00:00.000"), TaskEventKind.CREATED).build());
    d.send(Events.task(ORG, at(H9, "59:59.999"), TaskEventKind.CREATED).build());
    d.send(Events.task(ORG, at(H10, "00:00.000"), TaskEventKind.CREATED).build());
    d.tick();

    List<TaskRollup> rollups = tasks(d.rollups());
    assertThat(rollups)
        .extracting(
            r -> r.getWindowStart(), r -> r.getWindowEnd(), r -> r.getMeasures().getEventCount())
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(H9, H10, 2L),
            org.assertj.core.groups.Tuple.tuple(H10, H11, 1L));
  }

  @Test
  void shouldCountEventsWithinGraceInTheirOwnHour() {
    d.send(Events.task(ORG, at(H9, "30:00"), TaskEventKind.CREATED).build());
    d.send(Events.task(ORG, at(H10, "05:00"), TaskEventKind.CREATED).build());
    // Stream time 10:05: the 09:00 hour takes events until 10:10.
    d.send(Events.task(ORG, at(H9, "50:00"), TaskEventKind.STARTED).build());
    d.send(Events.task(ORG, at(H10, "09:59.999"), TaskEventKind.CREATED).build());
    d.send(Events.task(ORG, at(H9, "59:00"), TaskEventKind.COMPLETED).build());
    d.send(Events.task(ORG, at(H10, "10:00"), TaskEventKind.CREATED).build());

    List<TaskRollup> finals = tasks(d.rollups()).stream().filter(TaskRollup::getIsFinal).toList();
    assertThat(finals).hasSize(1);
    TaskRollup last = finals.get(0);
    assertThat(last.getWindowStart()).isEqualTo(H9);
    assertThat(last.getMeasures().getEventCount()).isEqualTo(3L);
    assertThat(last.getMeasures().getCreatedCount()).isEqualTo(1L);
    assertThat(last.getMeasures().getStartedCount()).isEqualTo(1L);
    assertThat(last.getMeasures().getCompletedCount()).isEqualTo(1L);
  }

  @Test
  void shouldPublishUpdatesWithIncreasingRevisionAndThenTheFinalVersion() {
    d.send(Events.task(ORG, at(H9, "10:00"), TaskEventKind.CREATED).build());
    d.tick();
    d.send(Events.task(ORG, at(H9, "20:00"), TaskEventKind.CREATED).build());
    d.send(Events.task(ORG, at(H9, "21:00"), TaskEventKind.CREATED).build());
    d.tick();
    d.tick(); // nothing changed: nothing published
    d.send(Events.task(ORG, at(H10, "10:00"), TaskEventKind.CREATED).build());

    List<TaskRollup> h9 =
        tasks(d.rollups()).stream().filter(r -> r.getWindowStart().equals(H9)).toList();
    assertThat(h9)
        .extracting(
            TaskRollup::getRevision, TaskRollup::getIsFinal, r -> r.getMeasures().getEventCount())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1L, false, 1L),
            org.assertj.core.groups.Tuple.tuple(2L, false, 3L),
            org.assertj.core.groups.Tuple.tuple(3L, true, 3L));
  }

  @Test
  void shouldTurnAnEventBeyondGraceIntoACorrectionAfterTheFinalRollup() {
    d.send(Events.task(ORG, at(H9, "10:00"), TaskEventKind.CREATED).build());
    d.send(Events.task(ORG, at(H10, "10:00"), TaskEventKind.CREATED).build());
    d.send(Events.task(ORG, at(H9, "15:00"), TaskEventKind.COMPLETED).setActualHours(0.25).build());

    List<SpecificRecord> out = d.rollups();
    assertThat(out).hasSize(2);
    TaskRollup last = (TaskRollup) out.get(0);
    assertThat(last.getIsFinal()).isTrue();
    assertThat(last.getMeasures().getEventCount()).isEqualTo(1L);
    TaskMeasures delta = new TaskMeasures(1L, 0L, 0L, 0L, 1L, 0L, 0L, 0.0, 0.25, 1L, histogram(80));
    assertThat(out.get(1))
        .isEqualTo(new TaskCorrection(ORG, PROJECT, H9, H10, delta, 1L, WALL_START));
    d.tick();
    assertThat(d.stats().get(d.topics.events(Family.TASK).name() + "-0"))
        .isEqualTo(
            "{\"counted\":3,\"duplicates_suppressed\":0,\"late_corrected\":1,\"rerouted\":0,"
                + "\"dead_lettered\":{},\"stream_time\":"
                // stream time runs on with the wall clock for the tick's second
                + at(H10, "10:01").toEpochMilli()
                + "}");
  }

  @Test
  void shouldSuppressDuplicateEventIdsAndCountThem() {
    TaskEvent event = Events.task(ORG, at(H9, "10:00"), TaskEventKind.CREATED).build();
    d.send(event);
    d.send(event);
    d.send(Events.task(ORG, at(H9, "11:00"), TaskEventKind.CREATED).build());
    d.send(event);
    d.tick();

    assertThat(tasks(d.rollups()))
        .singleElement()
        .extracting(r -> r.getMeasures().getEventCount())
        .isEqualTo(2L);
    assertThat(d.stats().get(d.topics.events(Family.TASK).name() + "-0"))
        .startsWith("{\"counted\":2,\"duplicates_suppressed\":2,\"late_corrected\":0,");
  }

  @Test
  void shouldSuppressADuplicateOfALateEvent() {
    d.send(Events.task(ORG, at(H10, "30:00"), TaskEventKind.CREATED).build());
    TaskEvent late = Events.task(ORG, at(H9, "10:00"), TaskEventKind.CREATED).build();
    d.send(late);
    d.send(late);

    assertThat(d.rollups()).singleElement().isInstanceOf(TaskCorrection.class);
  }

  @Test
  void shouldSuppressADuplicateOfAnEventLateByMoreThanTheDedupHorizon() {
    // Stream time 2 h 45 min past the event: beyond the 2 h dedup horizon, within the correction
    // horizon (a day), so the event is still counted, as a correction, and must be counted once.
    d.send(Events.task(ORG, at(H11, "50:00"), TaskEventKind.CREATED).build());
    TaskEvent late = Events.task(ORG, at(H9, "05:00"), TaskEventKind.CREATED).build();
    d.send(late);
    d.send(late);
    d.send(late);

    assertThat(d.rollups()).singleElement().isInstanceOf(TaskCorrection.class);
  }

  @Test
  void shouldSuppressAResentBatchWhoseOriginalsMovedStreamTimeBeyondTheDedupHorizon() {
    // Chaos scenario 7: a producer sends events spanning 2 h 50 min of event time within seconds
    // (a backlog), so they move stream time on by more than the 2 h horizon; then it restarts and
    // resends them all. Stream time passed the horizon since the first ids were stored, the wall
    // clock did not: every resent event is a duplicate.
    List<TaskEvent> batch = new ArrayList<>();
    for (int minute = 0; minute < 180; minute += 10) {
      batch.add(
          Events.task(ORG, H9.plus(Duration.ofMinutes(minute)), TaskEventKind.CREATED).build());
    }
    batch.forEach(d::send);
    batch.forEach(d::send);
    d.tick();

    assertThat(d.stats().get(d.topics.events(Family.TASK).name() + "-0"))
        .startsWith("{\"counted\":18,\"duplicates_suppressed\":18,\"late_corrected\":0,");
  }

  @Test
  void shouldForgetAnEventIdOnceStreamTimeAndTheWallClockBothPassedTheDedupHorizon() {
    // The bound on the dedup store: a quiet partition's stream time runs on with the wall clock,
    // so 2 h later both have passed the horizon and the id is forgotten; the event counts again,
    // as a correction of its closed hour.
    TaskEvent event = Events.task(ORG, at(H9, "10:00"), TaskEventKind.CREATED).build();
    d.send(event);
    d.advance(Duration.ofHours(2).plusSeconds(1));
    d.send(event);
    d.tick();

    assertThat(d.stats().get(d.topics.events(Family.TASK).name() + "-0"))
        .startsWith("{\"counted\":2,\"duplicates_suppressed\":0,\"late_corrected\":1,");
  }

  @Test
  void shouldCloseTheHourOfAQuietKeyOnTheWallClock() {
    d.send(Events.task(ORG, at(H9, "30:00"), TaskEventKind.CREATED).build());
    d.tick();
    assertThat(tasks(d.rollups())).extracting(TaskRollup::getIsFinal).containsExactly(false);

    // Stream time runs on from 09:30 with the wall clock: at 10:10 the hour closes.
    // The event arrived at 12:00:00 wall clock; one tick later it is 12:00:01.
    d.advance(Duration.ofMinutes(39).plusSeconds(58));
    assertThat(d.rollups()).isEmpty();
    d.advance(Duration.ofSeconds(1));
    assertThat(tasks(d.rollups()))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getIsFinal()).isTrue();
              assertThat(r.getRevision()).isEqualTo(2L);
              assertThat(r.getMeasures().getEventCount()).isEqualTo(1L);
            });
    // And an event of that hour is now a correction.
    d.send(Events.task(ORG, at(H9, "45:00"), TaskEventKind.CREATED).build());
    assertThat(d.rollups()).singleElement().isInstanceOf(TaskCorrection.class);
  }

  @Test
  void shouldKeepWindowsOfDifferentOrganizationsAndProjectsApart() {
    String otherProject = "00000000-0000-4000-8000-0000000000a2";
    d.send(Events.task(ORG, at(H9, "10:00"), TaskEventKind.CREATED).build());
    d.send(
        Events.task(ORG, at(H9, "11:00"), TaskEventKind.CREATED)
            .setProjectId(otherProject)
            .build());
    d.send(Events.task(ORG_2, at(H9, "12:00"), TaskEventKind.CREATED).build());
    d.tick();

    assertThat(tasks(d.rollups()))
        .extracting(TaskRollup::getOrganizationId, TaskRollup::getProjectId)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(ORG, PROJECT),
            org.assertj.core.groups.Tuple.tuple(ORG, otherProject),
            org.assertj.core.groups.Tuple.tuple(ORG_2, PROJECT));
  }

  @Test
  void shouldDeadLetterBytesThatAreNotASingleObjectRecord() {
    byte[] junk = "not avro".getBytes(StandardCharsets.UTF_8);
    d.tasks.pipeInput(Driver.key(ORG), junk);

    DeadLetter dl = d.deadLetters.readValue();
    assertThat(dl.getSourceTopic()).isEqualTo(d.topics.events(Family.TASK).name());
    assertThat(dl.getSourcePartition()).isZero();
    assertThat(dl.getSourceOffset()).isZero();
    assertThat(dl.getReasonCode()).isEqualTo("NOT_SINGLE_OBJECT");
    assertThat(dl.getMessage())
        .isEqualTo(
            "NOT_SINGLE_OBJECT on topic hourglass.task-events: no single-object marker C3 01 at"
                + " the start of 8 bytes");
    assertThat(dl.getRawKey()).isEqualTo(ByteBuffer.wrap(Driver.key(ORG)));
    assertThat(dl.getRawValue()).isEqualTo(ByteBuffer.wrap(junk));
    assertThat(dl.getOrganizationId()).isNull();
    assertThat(dl.getReceivedAt()).isEqualTo(WALL_START);
  }

  @Test
  void shouldDeadLetterTruncatedRecords() {
    byte[] whole = Driver.encode(Events.task(ORG, at(H9, "10:00"), TaskEventKind.CREATED).build());
    d.tasks.pipeInput(Driver.key(ORG), Arrays.copyOf(whole, whole.length - 5));
    assertThat(d.deadLetters.readValue().getReasonCode()).isEqualTo("TRUNCATED");
  }

  @Test
  void shouldDeadLetterRecordsWithAnUnknownSchemaFingerprint() {
    byte[] bytes = Driver.encode(Events.task(ORG, at(H9, "10:00"), TaskEventKind.CREATED).build());
    bytes[5] ^= 0x5A;
    d.tasks.pipeInput(Driver.key(ORG), bytes);
    assertThat(d.deadLetters.readValue().getReasonCode()).isEqualTo("UNKNOWN_FINGERPRINT");
  }

  @Test
  void shouldDeadLetterAnEventOnTheTopicOfAnotherType() {
    d.tasks.pipeInput(
        Driver.key(ORG),
        Driver.encode(Events.agent(ORG, at(H9, "10:00"), AgentEventKind.STARTED).build()));
    DeadLetter dl = d.deadLetters.readValue();
    assertThat(dl.getReasonCode()).isEqualTo("WRONG_TYPE");
    assertThat(dl.getMessage()).endsWith("expected TaskEvent, got dev.hourglass.events.AgentEvent");
  }

  @Test
  void shouldDeadLetterAnInvalidEventWithTheViolationsReason() {
    AgentEvent negative =
        Events.agent(ORG, at(H9, "10:00"), AgentEventKind.COMPLETED).setCostMicros(-5).build();
    d.send(negative);
    d.send(Events.agent(ORG, WALL_START.plus(Duration.ofHours(1)), AgentEventKind.STARTED).build());

    List<DeadLetter> dls = d.deadLetters.readValuesToList();
    assertThat(dls)
        .extracting(DeadLetter::getReasonCode, DeadLetter::getSourceOffset)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("INVALID_NEGATIVE", 0L),
            org.assertj.core.groups.Tuple.tuple("INVALID_FUTURE_TIME", 1L));
    assertThat(dls.get(0).getMessage()).isEqualTo("cost_micros: -5 is negative");
    assertThat(dls.get(0).getOrganizationId()).isEqualTo(ORG);
    assertThat(dls.get(0).getEventId()).isEqualTo(negative.getEventId());
    d.tick();
    assertThat(d.rollups()).isEmpty();
    assertThat(d.stats().get(d.topics.events(Family.AGENT).name() + "-0"))
        .isEqualTo(
            "{\"counted\":0,\"duplicates_suppressed\":0,\"late_corrected\":0,\"rerouted\":0,"
                + "\"dead_lettered\":{\"INVALID_FUTURE_TIME\":1,\"INVALID_NEGATIVE\":1},"
                + "\"stream_time\":null}");
  }

  @Test
  void shouldJudgeAFutureTimeByTheRecordsTimestampNotTheWallClock() {
    Instant sent = WALL_START.minus(Duration.ofHours(3));
    AgentEvent near =
        Events.agent(ORG, sent.plus(Duration.ofMinutes(4)), AgentEventKind.STARTED).build();
    AgentEvent far =
        Events.agent(ORG, sent.plus(Duration.ofMinutes(6)), AgentEventKind.STARTED).build();
    // Both are in the wall clock's past; only the second is beyond the bound (5 min) of the time
    // it was sent, which is what the sink, reading the same record, compares with too.
    d.agents.pipeInput(Driver.key(ORG), Driver.encode(near), sent);
    d.agents.pipeInput(Driver.key(ORG), Driver.encode(far), sent);

    List<DeadLetter> dls = d.deadLetters.readValuesToList();
    assertThat(dls)
        .extracting(DeadLetter::getReasonCode, DeadLetter::getEventId)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("INVALID_FUTURE_TIME", far.getEventId()));
    assertThat(dls.get(0).getMessage())
        .isEqualTo(
            "occurred_at: "
                + far.getOccurredAt()
                + " is 360000 ms ahead of the clock (limit 300000 ms)");
  }

  @Test
  void shouldDeadLetterAnEventKeyedByAnotherOrganization() {
    d.tasks.pipeInput(
        Driver.key(ORG_2),
        Driver.encode(Events.task(ORG, at(H9, "10:00"), TaskEventKind.CREATED).build()));
    DeadLetter dl = d.deadLetters.readValue();
    assertThat(dl.getReasonCode()).isEqualTo("INVALID_KEY");
    assertThat(dl.getMessage())
        .isEqualTo("record key \"" + ORG_2 + "\" is not the organization_id " + ORG);
  }

  @Test
  void shouldDeadLetterAProcessingErrorAndKeepCountingLaterEvents() {
    d.send(Events.agent(ORG, at(H9, "10:00"), AgentEventKind.STARTED).setTokensUsed(5).build());
    AgentEvent overflow =
        Events.agent(ORG, at(H9, "11:00"), AgentEventKind.STARTED)
            .setTokensUsed(Long.MAX_VALUE)
            .build();
    d.send(overflow);
    d.send(Events.agent(ORG, at(H9, "12:00"), AgentEventKind.STARTED).setTokensUsed(7).build());
    d.tick();

    DeadLetter dl = d.deadLetters.readValue();
    assertThat(dl.getReasonCode()).isEqualTo("PROCESSING_ERROR");
    assertThat(dl.getMessage()).isEqualTo("java.lang.ArithmeticException: long overflow");
    assertThat(dl.getSourceOffset()).isEqualTo(1L);
    assertThat(dl.getEventId()).isEqualTo(overflow.getEventId());
    AgentRollup rollup = (AgentRollup) d.rollups().get(0);
    assertThat(rollup.getMeasures().getEventCount()).isEqualTo(2L);
    assertThat(rollup.getMeasures().getTokensUsedSum()).isEqualTo(12L);
    assertThat(d.stats().get(d.topics.events(Family.AGENT).name() + "-0"))
        .startsWith(
            "{\"counted\":2,\"duplicates_suppressed\":0,\"late_corrected\":0,\"rerouted\":0,"
                + "\"dead_lettered\":{\"PROCESSING_ERROR\":1}");
  }

  private static List<TaskRollup> tasks(List<SpecificRecord> records) {
    List<TaskRollup> out = new ArrayList<>();
    for (SpecificRecord r : records) {
      out.add((TaskRollup) r);
    }
    return out;
  }
}
