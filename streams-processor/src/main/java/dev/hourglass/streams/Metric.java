package dev.hourglass.streams;

import java.util.Locale;

/** What an alert rule looks at in a rollup. Which families offer which metric: {@link Families}. */
enum Metric {
  /** failed / (completed + failed); sample: completed + failed (finished runs). */
  FAILURE_RATE,
  /** failed_count; sample: event_count. */
  FAILED_COUNT,
  /** cost_micros_sum / 1e6; sample: event_count. */
  COST_USD,
  /** error_count / event_count; sample: event_count. */
  ERROR_RATE,
  /** 95th percentile of the duration histogram; sample: values in the histogram. */
  P95_DURATION_MS,
  /** 95th percentile of the latency histogram; sample: values in the histogram. */
  P95_LATENCY_MS;

  /** The name used in rules files. */
  String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
