package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.avro.JsonView;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import dev.hourglass.rollups.TaskMeasures;
import dev.hourglass.rollups.TaskRollup;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RecordDecoderTest {
  private final Topics topics = Topics.withPrefix("hg.");
  private final RecordDecoder decoder = new RecordDecoder(topics, Clock.systemUTC());
  private final SingleObjectFormat format = SingleObjectFormat.standard();

  private SinkRecord decode(String topic, byte[] value) {
    return decoder.decode(new ConsumerRecord<>(topic, 2, 41L, "k".getBytes(), value));
  }

  @Test
  void shouldReadEveryTopicOfTheContractButStats() {
    assertThat(decoder.topics())
        .containsExactly(
            "hg.task-events",
            "hg.agent-events",
            "hg.integration-events",
            "hg.rollups",
            "hg.alerts",
            "hg.dead-letters");
  }

  @Test
  void shouldReadOnlyItsPathsTopicsWhenTheTwoPathsRunApart() {
    assertThat(new RecordDecoder(topics, SinkConfig.Reads.EVENTS, Clock.systemUTC()).topics())
        .containsExactly("hg.task-events", "hg.agent-events", "hg.integration-events");
    assertThat(new RecordDecoder(topics, SinkConfig.Reads.DERIVED, Clock.systemUTC()).topics())
        .containsExactly("hg.rollups", "hg.alerts", "hg.dead-letters");
  }

  @Test
  void shouldJudgeAFutureTimeByTheRecordsTimestampAsTheProcessorDoes() {
    long sent = Instant.parse("2026-01-05T10:00:00Z").toEpochMilli();
    long fourMinutes = 240_000L;
    long sixMinutes = 360_000L;
    // Both are in this machine's past; the processor dead-letters the second (beyond the 5 min
    // bound of the time it was sent), so the sink must not write it to the raw tables.
    SinkRecord near =
        decodeAt(sent, EventWritesTest.agent(AgentEventKind.STARTED, sent + fourMinutes));
    SinkRecord far =
        decodeAt(sent, EventWritesTest.agent(AgentEventKind.STARTED, sent + sixMinutes));

    assertThat(near.payload()).isInstanceOf(AgentEvent.class);
    SinkRecord.Rejected why = (SinkRecord.Rejected) far.payload();
    assertThat(why.reasonCode()).isEqualTo("INVALID_FUTURE_TIME");
    assertThat(why.message())
        .isEqualTo(
            "occurred_at: 2026-01-05T10:06:00Z is 360000 ms ahead of the clock (limit 300000 ms)");
  }

  private SinkRecord decodeAt(long timestamp, AgentEvent.Builder event) {
    byte[] value = format.encode(event.setEventId("00000000-0000-4000-8000-000000000077").build());
    return decoder.decode(
        new ConsumerRecord<>(
            topics.events(Family.AGENT).name(),
            0,
            7L,
            timestamp,
            TimestampType.CREATE_TIME,
            1,
            value.length,
            "k".getBytes(StandardCharsets.UTF_8),
            value,
            new RecordHeaders(),
            Optional.empty()));
  }

  @Test
  void shouldRejectBytesThatAreNotASingleObjectWithTheDecodersReason() {
    SinkRecord r =
        decode(topics.events(Family.TASK).name(), "hello".getBytes(StandardCharsets.UTF_8));

    assertThat(r.payload()).isInstanceOf(SinkRecord.Rejected.class);
    assertThat(((SinkRecord.Rejected) r.payload()).reasonCode()).isEqualTo("NOT_SINGLE_OBJECT");
    assertThat(r.offset()).isEqualTo(41L);
  }

  @Test
  void shouldRejectARecordOfATypeItsTopicDoesNotCarry() {
    Alert alert = SinkEventsIT.alert("r", AlertState.FIRING);

    SinkRecord r = decode(topics.rollups().name(), format.encode(alert));

    SinkRecord.Rejected why = (SinkRecord.Rejected) r.payload();
    assertThat(why.reasonCode()).isEqualTo("WRONG_TYPE");
    assertThat(why.message())
        .isEqualTo(
            "WRONG_TYPE on topic hg.rollups: expected TaskRollup, TaskCorrection, AgentRollup,"
                + " AgentCorrection, IntegrationRollup, IntegrationCorrection, got"
                + " dev.hourglass.rollups.Alert");
  }

  @Test
  void shouldRejectJsonOnTheAlertsTopicThatIsNotAnAlertAsNotASingleObject() {
    SinkRecord r = decode(topics.alerts().name(), "{not json".getBytes(StandardCharsets.UTF_8));

    SinkRecord.Rejected why = (SinkRecord.Rejected) r.payload();
    assertThat(why.reasonCode()).isEqualTo("NOT_SINGLE_OBJECT");
    assertThat(why.message())
        .startsWith("NOT_SINGLE_OBJECT on topic hg.alerts: not a JSON alert: ");
  }

  @Test
  void shouldRejectARecordOnATopicTheSinkDoesNotRead() {
    SinkRecord r =
        decode(topics.stats().name(), format.encode(SinkEventsIT.alert("r", AlertState.FIRING)));

    SinkRecord.Rejected why = (SinkRecord.Rejected) r.payload();
    assertThat(why.reasonCode()).isEqualTo("WRONG_TYPE");
    assertThat(why.message())
        .startsWith("topic hg.stats is not one the sink reads [hg.task-events, ");
  }

  @Test
  void shouldReadAlertsAsAvroOrAsJson() {
    Alert alert = SinkEventsIT.alert("r", AlertState.RESOLVED);

    SinkRecord avro = decode(topics.alerts().name(), format.encode(alert));
    SinkRecord json =
        decode(topics.alerts().name(), JsonView.toJson(alert).getBytes(StandardCharsets.UTF_8));

    assertThat(avro.payload()).isEqualTo(alert);
    assertThat(json.payload()).isEqualTo(alert);
  }

  @Test
  void shouldRejectAnEventTheProcessorWouldRejectWithTheSameReason() {
    var event =
        SinkEventsIT.task(
            SinkEventsIT.TASK1, dev.hourglass.events.TaskEventKind.CREATED, 0, null, "t");
    event.setPriority(9);

    SinkRecord r = decode(topics.events(Family.TASK).name(), format.encode(event));

    SinkRecord.Rejected why = (SinkRecord.Rejected) r.payload();
    assertThat(why.reasonCode()).isEqualTo("INVALID_RANGE");
    assertThat(why.organizationId()).isEqualTo(SinkEventsIT.ORG);
    assertThat(why.eventId()).isEqualTo(event.getEventId());
  }

  @Test
  void shouldRejectARollupWhoseHistogramIsNot128Buckets() {
    TaskRollup rollup =
        RollupData.taskRollup(
            SinkEventsIT.ORG,
            SinkEventsIT.PROJECT,
            SinkEventsIT.T0,
            TaskMeasures.newBuilder(RollupData.taskMeasures(3))
                .setDurationHistogram(List.of(1L, 2L))
                .build(),
            1,
            true,
            SinkEventsIT.T0);

    SinkRecord r = decode(topics.rollups().name(), format.encode(rollup));

    assertThat(((SinkRecord.Rejected) r.payload()).message())
        .isEqualTo("a histogram of 2 buckets in a TaskRollup: must have 128");
  }
}
