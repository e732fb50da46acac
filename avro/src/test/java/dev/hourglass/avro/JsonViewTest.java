package dev.hourglass.avro;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hourglass.rollups.AgentMeasures;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class JsonViewTest {

  @Test
  void shouldWriteEventWithIsoTimestampsAndEnumNames() {
    assertThat(JsonView.toJson(Samples.task()))
        .isEqualTo(
            "{\"event_id\":\"f47ac10b-58cc-4372-a567-0e02b2c3d479\","
                + "\"occurred_at\":\"2026-11-22T04:59:30.125Z\","
                + "\"organization_id\":\"0b7f2d4e-3c1a-4e8b-9f60-1a2b3c4d5e6f\","
                + "\"project_id\":\"5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d\","
                + "\"task_id\":\"9c8b7a6d-5e4f-4321-9abc-def012345678\","
                + "\"kind\":\"COMPLETED\",\"priority\":2,"
                + "\"assigned_to\":\"3f2e1d0c-b9a8-4765-8432-10fedcba9876\","
                + "\"title\":\"Add retry to the webhook client\","
                + "\"estimated_hours\":3.5,\"actual_hours\":4.25,"
                + "\"execution_id\":\"6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098\","
                + "\"metadata\":{\"team\":\"platform\"},\"source\":\"producer-test\"}");
  }

  @Test
  void shouldWriteNullsAndEscapeText() {
    assertThat(JsonView.toJson(Samples.alert()))
        .isEqualTo(
            "{\"alert_id\":\"c0ffee00-1234-4567-89ab-cdef01234567\","
                + "\"rule\":\"agent_failure_rate\",\"severity\":\"WARNING\",\"state\":\"FIRING\","
                + "\"organization_id\":\"0b7f2d4e-3c1a-4e8b-9f60-1a2b3c4d5e6f\","
                + "\"entity_type\":\"agent\",\"entity_key\":\"7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d\","
                + "\"window_start\":\"2026-11-22T04:00:00Z\",\"window_end\":\"2026-11-22T05:00:00Z\","
                + "\"observed_value\":0.4,\"threshold\":0.25,"
                + "\"fired_at\":\"2026-11-22T05:00:00Z\",\"resolved_at\":null,"
                + "\"message\":\"agent 7a8b9c0d failed 40% of runs (threshold 25%)\","
                + "\"correction_late_ms\":null}");
    var integration = Samples.integration();
    integration.setPayload("line \"one\"\nline two");
    assertThat(JsonView.toJson(integration))
        .contains("\"payload\":\"line \\\"one\\\"\\nline two\"")
        .doesNotContain("\n");
  }

  @Test
  void shouldWriteBytesAsBase64() {
    assertThat(JsonView.toJson(Samples.deadLetter()))
        .isEqualTo(
            "{\"source_topic\":\"hourglass.task-events\",\"source_partition\":2,"
                + "\"source_offset\":1234,\"reason_code\":\"INVALID_NEGATIVE\","
                + "\"message\":\"cost_micros: -5 is negative\","
                + "\"organization_id\":\"0b7f2d4e-3c1a-4e8b-9f60-1a2b3c4d5e6f\","
                + "\"event_id\":\"f47ac10b-58cc-4372-a567-0e02b2c3d479\","
                + "\"raw_key\":\"MGI3ZjJkNGUtM2MxYS00ZThiLTlmNjAtMWEyYjNjNGQ1ZTZm\","
                + "\"raw_value\":\"wwEAAQI=\",\"received_at\":\"2026-11-22T05:00:00Z\"}");
  }

  @Test
  void shouldWriteNestedMeasuresAndHistogramsAsArrays() {
    List<String> buckets = new ArrayList<>(Collections.nCopies(128, "0"));
    buckets.set(0, "1");
    buckets.set(43, "1");
    buckets.set(62, "1");

    assertThat(JsonView.toJson(Samples.integrationRollup()))
        .isEqualTo(
            "{\"organization_id\":\"0b7f2d4e-3c1a-4e8b-9f60-1a2b3c4d5e6f\","
                + "\"integration_type\":\"github\","
                + "\"window_start\":\"2026-11-22T04:00:00Z\",\"window_end\":\"2026-11-22T05:00:00Z\","
                + "\"measures\":{\"event_count\":30,\"success_count\":27,\"error_count\":3,"
                + "\"unprocessed_count\":1,\"latency_ms_sum\":4110,"
                + "\"latency_histogram\":["
                + String.join(",", buckets)
                + "]},\"revision\":1,\"is_final\":true,\"emitted_at\":\"2026-11-22T05:00:00Z\"}");
  }

  @Test
  void shouldWriteNonFiniteDoublesAsStrings() {
    AgentMeasures measures = Samples.agentMeasures();
    measures.setPerformanceScoreSum(Double.NaN);

    assertThat(JsonView.toJson(measures)).contains("\"performance_score_sum\":\"NaN\"");
  }

  @Test
  void shouldWriteValidJsonForEveryType() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    for (SpecificRecord record : Samples.everyType()) {
      String json = JsonView.toJson(record);

      assertThat(mapper.readTree(json).size())
          .as(record.getSchema().getName())
          .isEqualTo(record.getSchema().getFields().size());
      assertThat(json).doesNotContain("\n");
    }
  }
}
