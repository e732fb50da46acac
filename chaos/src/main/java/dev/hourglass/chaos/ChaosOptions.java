package dev.hourglass.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What {@code hourglass chaos} runs.
 *
 * @param launcher the command that runs the executable (java, options, class path, main class):
 *     every server and component is started with it
 * @param secured whether Kafka runs secured as {@code hourglass servers} runs it (SASL_SSL, SCRAM,
 *     ACLs, a principal per component); otherwise PLAINTEXT without authentication
 * @param staticMembership whether each processor and sink gets a static identity ({@code
 *     group.instance.id}), as the README advises for instances that restart in place
 * @param dataDir each scenario's servers, settings, ledgers and logs, in a directory of its own
 * @param scenarios RELIABILITY.md's numbers: 2, 4, 5, 6, 7, 8, 9, 10 (17 is {@code soak})
 * @param rate events per second of the load
 * @param load how long each scenario sends
 * @param kills faults per scenario that repeats one (2, 4, 5)
 * @param faultFraction share of the load that is late, invalid, poison, duplicate or misrouted
 * @param postgresDown how long PostgreSQL stays down (scenario 8)
 * @param lock how long a rollup table stays locked (scenario 9)
 * @param resend how many acknowledged events the restarted producer sends again (scenario 7)
 * @param soak the soak's length (scenario 17), or null
 * @param killEvery the soak's interval between faults
 * @param soakRate the soak's events per second, or 0 for 70 % of the capacity measured at start
 * @param seed the load's seed, and the soak's choice of faults
 * @param catchUpTimeout how long to wait for the pipeline to catch up after the load
 * @param postgresSettings server settings added to the embedded PostgreSQL's (for example {@code
 *     fsync=on} and {@code synchronous_commit=on}: production durability)
 * @param sinkSettings settings added to every sink's file (for example {@code
 *     sink.synchronous.commit=off})
 * @param soakFaults the kinds of fault the soak draws from ({@link #SOAK_FAULTS}); empty: all
 */
public record ChaosOptions(
    List<String> launcher,
    boolean secured,
    boolean staticMembership,
    Path dataDir,
    List<Integer> scenarios,
    double rate,
    Duration load,
    int kills,
    double faultFraction,
    Duration postgresDown,
    Duration lock,
    long resend,
    Duration soak,
    Duration killEvery,
    double soakRate,
    long seed,
    Duration catchUpTimeout,
    Map<String, String> postgresSettings,
    Map<String, String> sinkSettings,
    List<String> soakFaults) {
  public static final List<Integer> SCENARIOS = List.of(2, 4, 5, 10, 6, 8, 9, 7);

  /** What the soak may SIGKILL, in the order of its draw. */
  public static final List<String> SOAK_FAULTS = List.of("processor", "sink", "broker", "postgres");

  public ChaosOptions {
    launcher = List.copyOf(launcher);
    scenarios = List.copyOf(scenarios);
    postgresSettings = Map.copyOf(postgresSettings);
    sinkSettings = Map.copyOf(sinkSettings);
    soakFaults = List.copyOf(soakFaults);
    for (String f : soakFaults) {
      if (!SOAK_FAULTS.contains(f)) {
        throw new IllegalArgumentException(
            "Invalid value "
                + f
                + " for configuration --soak-faults: must be one of "
                + SOAK_FAULTS);
      }
    }
    for (int s : scenarios) {
      if (!SCENARIOS.contains(s)) {
        throw new IllegalArgumentException(
            "Invalid value " + s + " for configuration --scenario: must be one of " + SCENARIOS);
      }
    }
  }
}
