package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusCommandTest {
  private static final String TEXT =
      String.join(
          "\n",
          "# HELP hourglass_processor_events_counted_total events counted",
          "# TYPE hourglass_processor_events_counted_total counter",
          "hourglass_processor_events_counted_total{family=\"agent\"} 7.0",
          "hourglass_processor_events_counted_total{family=\"task\"} 5.0",
          "hourglass_sink_freshness_seconds{family=\"task\",of=\"event\"} 12.5",
          "hourglass_sink_freshness_seconds{family=\"agent\",of=\"event\"} NaN",
          "hourglass_sink_batches_committed_total 3.0",
          "");

  @Test
  void shouldReadPrometheusTextIntoSamples() {
    List<StatusCommand.Scrape.Sample> samples = StatusCommand.Scrape.parse(TEXT);

    assertThat(samples).hasSize(5);
    assertThat(samples.get(2))
        .isEqualTo(
            new StatusCommand.Scrape.Sample(
                "hourglass_sink_freshness_seconds", Map.of("family", "task", "of", "event"), 12.5));
  }

  @Test
  void shouldSumAndGroupSamplesLeavingNaNOut() {
    StatusCommand.Scrape scrape =
        new StatusCommand.Scrape(0, StatusCommand.Scrape.parse(TEXT), "sink ready\n", null);

    assertThat(scrape.sum("hourglass_processor_events_counted_total")).isEqualTo(12.0);
    assertThat(scrape.sum("hourglass_sink_batches_committed_total")).isEqualTo(3.0);
    assertThat(scrape.byLabel("hourglass_sink_freshness_seconds", "family", "of"))
        .containsEntry("task/event", 12.5)
        .containsKey("agent/event");
    assertThat(scrape.has("hourglass_sink_retries_total")).isFalse();
  }
}
