package dev.hourglass.chaos;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One scenario's result, reported as Kafka's own tests report theirs.
 *
 * @param sent sends the load generator made
 * @param failed sends that failed (in the failed ledger, never acknowledged, so never expected)
 * @param acknowledged acknowledged sends in the ledgers (resends included)
 * @param injected acknowledged events by what the load injected (none, late, invalid, poison,
 *     duplicate, misrouted, out_of_order, resent)
 * @param counted events counted in the rollup tables (sum of event_count)
 * @param deadLettered dead letters of event records in PostgreSQL
 * @param duplicates duplicates the processor suppressed (injected ones and resends)
 * @param late events applied as corrections to closed hours
 * @param rerouted records that arrived on a partition not their key's
 * @param lost events the ledger expects in a rollup row that the row lacks (I1)
 * @param extra events a rollup row holds beyond what the ledger implies (I2)
 * @param rowsDiffering rollup rows that differ from their recomputation in any measure
 * @param lag I4: end offsets minus the offsets stored in PostgreSQL, after catching up
 * @param duplicateAlerts I5: alerts beyond one per (rule, key, hour, state)
 * @param deadWithoutReason dead letters without a reason code (I3)
 * @param faults what was injected, with each recovery time
 * @param catchUp from the end of the load to caught up
 * @param peakRss peak resident memory of each process, bytes
 */
public record Report(
    String scenario,
    String command,
    long sent,
    long failed,
    long acknowledged,
    Map<String, Long> injected,
    long counted,
    long deadLettered,
    long duplicates,
    long late,
    long rerouted,
    long lost,
    long extra,
    int rowsDiffering,
    String firstDifference,
    long lag,
    long duplicateAlerts,
    long deadWithoutReason,
    List<String> faults,
    Duration catchUp,
    Map<String, Long> peakRss,
    List<String> notes) {

  /** I3: acknowledged = counted + dead-lettered + duplicates suppressed. */
  public boolean booksBalance() {
    return acknowledged == counted + deadLettered + duplicates;
  }

  /** Every invariant held: nothing lost, nothing extra, the books close, caught up, I5. */
  public boolean passed() {
    return lost == 0
        && extra == 0
        && rowsDiffering == 0
        && booksBalance()
        && lag == 0
        && duplicateAlerts == 0
        && deadWithoutReason == 0;
  }

  static String seconds(Duration d) {
    return String.format("%.1f s", d.toMillis() / 1000.0);
  }

  /** Markdown, as docs/reliability.md shows it. */
  public void print(PrintStream out) {
    out.println();
    out.println("### " + scenario);
    out.println();
    out.println("```");
    out.println("$ " + command);
    out.printf("sent            %,d  (%,d failed, never acknowledged)%n", sent, failed);
    out.printf("acknowledged    %,d  injected %s%n", acknowledged, injected);
    out.printf("counted         %,d%n", counted);
    out.printf("dead-lettered   %,d%n", deadLettered);
    out.printf("duplicates      %,d  (suppressed)%n", duplicates);
    out.printf("late            %,d  (corrections)%n", late);
    out.printf("re-routed       %,d%n", rerouted);
    out.printf("lost            %,d%n", lost);
    out.printf("extra           %,d%n", extra);
    out.printf(
        "books           acknowledged %,d %s counted + dead-lettered + duplicates %,d%n",
        acknowledged, booksBalance() ? "=" : "!=", counted + deadLettered + duplicates);
    out.printf(
        "rollup rows     %s%n",
        rowsDiffering == 0
            ? "every row equals its recomputation from the ledger"
            : rowsDiffering + " differ, first: " + firstDifference);
    out.printf("I4 lag          %,d after catching up%n", lag);
    out.printf(
        "I5 alerts       %,d beyond one per (rule, organization, key, hour, state); dead letters without"
            + " reason %,d%n",
        duplicateAlerts, deadWithoutReason);
    out.println("faults          " + (faults.isEmpty() ? "none" : faults.size()));
    faults.forEach(f -> out.println("  " + f));
    out.println("caught up       " + seconds(catchUp) + " after the load ended");
    out.println(
        "peak RSS        "
            + peakRss.entrySet().stream()
                .map(e -> e.getKey() + " " + (e.getValue() >> 20) + " MiB")
                .collect(Collectors.joining(", ")));
    notes.forEach(n -> out.println("note            " + n));
    out.println(passed() ? "PASSED: nothing lost, nothing extra" : "FAILED");
    out.println("```");
    out.flush();
  }
}
