package dev.hourglass.cli;

import dev.hourglass.config.Shared;
import dev.hourglass.config.Values;
import dev.hourglass.schema.Analytics;
import dev.hourglass.schema.HourlyReport;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description =
        "An organization's hours from the rollup tables: tasks, agent runs, cost, p95 durations,"
            + " integration errors and alerts, then the schema's organization summary and agents.")
final class ReportCommand implements Callable<Integer> {
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("MM-dd HH:00").withZone(ZoneOffset.UTC);

  @Mixin ConfigOption config;

  @Option(names = "--org", required = true, description = "Organization id (UUID).")
  UUID org;

  @Option(names = "--from", description = "First hour (ISO-8601, default: 24 hours ago).")
  Instant from;

  @Option(names = "--to", description = "End, exclusive (ISO-8601, default: now).")
  Instant to;

  @Override
  public Integer call() {
    Values v = config.settings().read(Shared.JDBC);
    Instant end =
        to != null ? to : Instant.now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
    Instant start = from != null ? from : end.minus(Duration.ofHours(24));
    HourlyReport report =
        HourlyReport.connect(
            v.getString(Shared.JDBC_URL), v.getString(Shared.JDBC_USER), Shared.jdbcPassword(v));
    List<HourlyReport.Hour> hours = report.hours(org, start, end);
    System.out.printf("Organization %s, %s to %s (UTC)%n%n", org, start, end);
    System.out.printf(
        "%-11s %8s %6s %6s | %6s %6s %10s %9s | %7s %6s %9s | %6s%n",
        "hour", "tasks", "done", "failed", "runs", "failed", "cost $", "p95 ms", "integr", "errors",
        "p95 ms", "alerts");
    for (HourlyReport.Hour h : hours) {
      System.out.printf(
          "%-11s %8d %6d %6d | %6d %6d %10.2f %9s | %7d %6d %9s | %6d%n",
          HOUR.format(h.hour()),
          h.taskEvents(),
          h.tasksCompleted(),
          h.tasksFailed(),
          h.agentRuns(),
          h.agentFailures(),
          h.costMicros() / 1e6,
          millis(h.agentP95Millis()),
          h.integrationEvents(),
          h.integrationErrors(),
          millis(h.latencyP95Millis()),
          h.alertsFiring());
    }
    if (hours.isEmpty()) {
      System.out.println("(no rollups for this organization in the range)");
    }
    System.out.println();
    System.out.println("get_organization_analytics: " + report.summary(org, start, end));
    System.out.println();
    System.out.println("Agents (get_agent_performance_metrics, last 30 days), top 10:");
    report.agents(org, Duration.ofDays(30)).stream()
        .limit(10)
        .forEach(
            (Analytics.AgentPerformance a) ->
                System.out.printf(
                    "  %-24s runs %5d  success %6s%%  cost $%s  score %s%n",
                    a.agentName(),
                    a.totalTasks(),
                    a.successRatePercent(),
                    a.totalCostDollars(),
                    a.performanceScore()));
    return 0;
  }

  private static String millis(double v) {
    return Double.isNaN(v) ? "-" : String.format("%.0f", v);
  }
}
