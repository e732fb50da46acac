package dev.hourglass.cli;

import dev.hourglass.contract.Topic;
import dev.hourglass.contract.Topics;
import dev.hourglass.loadgen.LedgerCheck;
import dev.hourglass.loadgen.LoadSummary;
import dev.hourglass.loadgen.StreamStats;
import dev.hourglass.schema.MaintenanceRuns;
import dev.hourglass.schema.PipelineTotals;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;

/** Local mode's closing report: what was sent, what PostgreSQL holds, and whether it adds up. */
record Summary(
    LoadSummary run,
    LedgerCheck.Sent sent,
    StreamStats stats,
    PipelineTotals.Totals totals,
    List<LedgerCheck.Mismatch> mismatches,
    int expectedRows,
    double seconds,
    MaintenanceRuns.Run viewsRefresh,
    Map<String, Long> viewRows,
    long agentDays) {

  static Summary collect(
      String bootstrapServers,
      Topics topics,
      String jdbcUrl,
      String jdbcUser,
      String jdbcPassword,
      List<Path> ledgers,
      LoadSummary run,
      double seconds,
      MaintenanceRuns.Run viewsRefresh) {
    return collect(
        Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
        topics,
        jdbcUrl,
        jdbcUser,
        jdbcPassword,
        ledgers,
        run,
        seconds,
        viewsRefresh);
  }

  /**
   * As above, reading the counters with {@code client} (brokers and security); {@code jdbcUser}
   * must see every tenant's rows and the materialized views (the owner, as local mode's migrator).
   */
  static Summary collect(
      Map<String, Object> client,
      Topics topics,
      String jdbcUrl,
      String jdbcUser,
      String jdbcPassword,
      List<Path> ledgers,
      LoadSummary run,
      double seconds,
      MaintenanceRuns.Run viewsRefresh) {
    LedgerCheck check = LedgerCheck.read(ledgers);
    StreamStats stats = StreamStats.read(client, topics.stats().name());
    PipelineTotals pg = PipelineTotals.connect(jdbcUrl, jdbcUser, jdbcPassword);
    PipelineTotals.Totals totals = pg.totals(topics.events().stream().map(Topic::name).toList());
    List<PipelineTotals.RollupRow> rollups = pg.rollups();
    return new Summary(
        run,
        check.sent(),
        stats,
        totals,
        check.compare(rollups),
        check.expectedRows(),
        seconds,
        viewsRefresh,
        MaintenanceRuns.connect(jdbcUrl, jdbcUser, jdbcPassword).viewRows(),
        agentDays(rollups));
  }

  /**
   * The rows {@code mv_agent_performance_summary} holds once refreshed: one per organization, agent
   * and UTC day of the last 30 days with a rollup.
   */
  private static long agentDays(List<PipelineTotals.RollupRow> rollups) {
    Instant since =
        LocalDate.now(ZoneOffset.UTC).minusDays(30).atStartOfDay(ZoneOffset.UTC).toInstant();
    return rollups.stream()
        .filter(r -> r.family().equals("agent") && !r.windowStart().isBefore(since))
        .map(
            r ->
                r.organizationId()
                    + "|"
                    + r.entityKey()
                    + "|"
                    + r.windowStart().atOffset(ZoneOffset.UTC).toLocalDate())
        .distinct()
        .count();
  }

  /** I3: acknowledged = counted + dead-lettered + duplicates suppressed; I1/I2: no row differs. */
  boolean balanced() {
    return sent.acknowledged()
            == totals.counted() + totals.deadLettered() + stats.duplicatesSuppressed()
        && mismatches.isEmpty();
  }

  /** The books; {@code query} the lines that say how to query the database. */
  void print(PrintStream out, List<String> query) {
    long books = totals.counted() + totals.deadLettered() + stats.duplicatesSuppressed();
    out.println();
    out.println("== Hourglass local run");
    out.printf(
        "This run sent         %,d events (%,d acknowledged, %,d failed)%n",
        run.sent(), run.acknowledged(), run.failed());
    out.printf(
        "All runs acknowledged %,d  (injected: %s)%n", sent.acknowledged(), sent.byInjection());
    out.printf(
        "Counted in rollups    %,d  (processor says %,d)%n", totals.counted(), stats.counted());
    out.printf("Dead-lettered         %,d  %s%n", totals.deadLettered(), totals.deadLetters());
    out.printf("Duplicates suppressed %,d%n", stats.duplicatesSuppressed());
    out.printf(
        "Re-routed             %,d  (on a partition not their key's; counted once by its owner)%n",
        stats.rerouted());
    out.printf(
        "Late events corrected %,d  (processor says %,d)%n",
        totals.lateCorrected(), stats.lateCorrected());
    out.printf(
        "Rollup rows           %,d  (%,d expected from the ledgers)%n",
        totals.rollupRows(), expectedRows);
    out.printf(
        "Alerts                %,d firing, %,d resolved%n",
        totals.alertsFiring(), totals.alertsResolved());
    totals.latestAlerts().forEach(a -> out.println("  " + a));
    out.printf(
        "Views                 %s; %s%n",
        viewsRefresh == null
            ? "no refresh by the maintenance since caught up (sink.maintenance.* off?)"
            : "refreshed by the maintenance scheduler at " + viewsRefresh.lastStarted(),
        viewRows.entrySet().stream()
            .map(e -> String.format("%s %,d rows", e.getKey(), e.getValue()))
            .collect(Collectors.joining(", ")));
    out.printf(
        "End to end            %,.0f events/s over %.1f s (start to caught up)%n",
        run.acknowledged() / seconds, seconds);
    out.printf(
        "Books                 acknowledged %,d %s counted %,d + dead-lettered %,d + duplicates %,d = %,d%n",
        sent.acknowledged(),
        sent.acknowledged() == books ? "=" : "!=",
        totals.counted(),
        totals.deadLettered(),
        stats.duplicatesSuppressed(),
        books);
    out.printf(
        "Rollups vs ledger     %s%n",
        mismatches.isEmpty()
            ? "every row equals its recomputation from the ledgers (nothing lost, nothing extra)"
            : mismatches.size() + " rows differ, first: " + mismatches.get(0));
    out.println(balanced() ? "BOOKS BALANCE" : "BOOKS DO NOT BALANCE");
    query.forEach(out::println);
  }
}
