package dev.hourglass.cli;

import dev.hourglass.chaos.Chaos;
import dev.hourglass.chaos.ChaosOptions;
import dev.hourglass.chaos.Report;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hourglass chaos}: the reliability scenarios on servers and components that are each an OS
 * process, faults injected, invariants checked against the ledger. Exit 1 when any scenario lost or
 * added an event or left the books open.
 */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description =
        "Runs RELIABILITY.md's fault scenarios with Kafka, PostgreSQL, the processors and the"
            + " sinks each in its own process, sends a load with its ledger, injects the faults"
            + " (SIGKILL, SIGSTOP, a broker or the database down, a table locked, a producer"
            + " resending) and checks invariants I1-I5 against the ledger.")
final class ChaosCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--scenario",
      split = ",",
      description =
          "Scenario numbers of RELIABILITY.md: 2, 4, 5, 10, 6, 8, 9, 7 (default: all of them;"
              + " none with --soak).")
  List<Integer> scenarios;

  @Option(
      names = "--data-dir",
      defaultValue = ".hourglass-chaos",
      description = "An empty directory for the scenarios' servers, ledgers and logs.")
  Path dataDir;

  @Option(names = "--rate", defaultValue = "1000", description = "Events/s of the load.")
  double rate;

  @Option(
      names = "--load",
      defaultValue = "2m",
      converter = Lengths.class,
      description = "How long each scenario sends (30s, 2m, 1h or ISO-8601).")
  Duration load;

  @Option(
      names = "--kills",
      defaultValue = "5",
      description = "Kills (or stops) per scenario 2, 4 and 5.")
  int kills;

  @Option(
      names = "--fault-fraction",
      defaultValue = "0.01",
      description =
          "Share of out-of-order events, and of late, invalid, poison, duplicate and misrouted"
              + " ones in proportion.")
  double faultFraction;

  @Option(
      names = "--postgres-down",
      defaultValue = "30s",
      converter = Lengths.class,
      description = "How long PostgreSQL stays down in scenario 8.")
  Duration postgresDown;

  @Option(
      names = "--lock",
      defaultValue = "2m",
      converter = Lengths.class,
      description = "How long scenario 9 locks a rollup table.")
  Duration lock;

  @Option(
      names = "--resend",
      defaultValue = "10000",
      description = "Events the restarted producer of scenario 7 sends again.")
  long resend;

  @Option(
      names = "--soak",
      converter = Lengths.class,
      description =
          "Scenario 17: soak this long at 70 %% of the capacity measured at start, a random"
              + " component SIGKILLed every --kill-every.")
  Duration soak;

  @Option(
      names = "--kill-every",
      defaultValue = "3m",
      converter = Lengths.class,
      description = "The soak's interval between faults.")
  Duration killEvery;

  @Option(
      names = "--soak-faults",
      split = ",",
      description =
          "The kinds of fault the soak draws from: processor, sink, broker, postgres (default:"
              + " all of them).")
  List<String> soakFaults = new ArrayList<>();

  @Option(
      names = "--soak-rate",
      defaultValue = "0",
      description =
          "The soak's events/s; 0 (default) measures the capacity first (a 30,000-event burst)"
              + " and soaks at 70 %% of it.")
  double soakRate;

  @Option(
      names = "--dynamic-membership",
      description =
          "No static identity (group.instance.id) for the processors and sinks: a killed instance"
              + " then waits out its predecessor's session timeout (45 s) before it owns anything.")
  boolean dynamicMembership;

  @Option(
      names = "--plaintext",
      description =
          "Kafka without security (PLAINTEXT, no logins, no ACLs). By default the brokers run"
              + " secured as hourglass servers runs them: SASL_SSL, SCRAM, ACLs, each component"
              + " its own principal.")
  boolean plaintext;

  @Option(names = "--seed", defaultValue = "42", description = "The load's seed.")
  long seed;

  @Option(
      names = "--catch-up-timeout",
      defaultValue = "10m",
      converter = Lengths.class,
      description = "How long to wait for the pipeline to catch up after the load.")
  Duration catchUpTimeout;

  @Option(names = "--report", description = "Also append the reports (Markdown) to this file.")
  Path report;

  @Option(
      names = "--postgres-durable",
      description =
          "Run PostgreSQL with production durability (fsync, synchronous_commit and"
              + " full_page_writes on) instead of the embedded defaults (fsync and"
              + " synchronous_commit off).")
  boolean postgresDurable;

  @Option(
      names = "--postgres-setting",
      paramLabel = "KEY=VALUE",
      description =
          "A PostgreSQL server setting added to the embedded defaults (and to"
              + " --postgres-durable's), e.g. wal_writer_delay=10s; repeatable.")
  Map<String, String> postgresSettings = new LinkedHashMap<>();

  @Option(
      names = "--sink-setting",
      paramLabel = "KEY=VALUE",
      description =
          "A setting added to every sink's settings file, e.g. sink.synchronous.commit=off;"
              + " repeatable.")
  Map<String, String> sinkSettings = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    // The harness prints its own progress; the components log to their files.
    if (System.getenv("HOURGLASS_LOG_LEVEL") == null) {
      Configurator.setLevel("dev.hourglass", Level.WARN);
    }
    List<Integer> chosen =
        scenarios != null ? scenarios : soak != null ? List.of() : ChaosOptions.SCENARIOS;
    ChaosOptions options =
        new ChaosOptions(
            launcher(),
            !plaintext,
            !dynamicMembership,
            dataDir,
            chosen,
            rate,
            load,
            kills,
            faultFraction,
            postgresDown,
            lock,
            resend,
            soak,
            killEvery,
            soakRate,
            seed,
            catchUpTimeout,
            postgres(),
            sinkSettings,
            soakFaults);
    String command =
        "hourglass " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    Chaos chaos = new Chaos(options, System.out, command);
    List<Report> reports = chaos.run();
    if (report != null) {
      try (PrintStream file =
          new PrintStream(
              Files.newOutputStream(report, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
              true,
              StandardCharsets.UTF_8)) {
        reports.forEach(r -> r.print(file));
      }
    }
    long failed = reports.stream().filter(r -> !r.passed()).count() + chaos.errors().size();
    chaos.errors().forEach(e -> System.out.println("NOT COMPLETED: " + e));
    System.out.println(
        failed == 0
            ? "ALL " + reports.size() + " SCENARIOS PASSED: nothing lost, nothing extra"
            : failed + " OF " + (reports.size() + chaos.errors().size()) + " SCENARIOS FAILED");
    return failed == 0 ? 0 : Hourglass.FAILED;
  }

  /** The server settings: production durability if asked, then the ones given one by one. */
  private Map<String, String> postgres() {
    Map<String, String> s = new LinkedHashMap<>();
    if (postgresDurable) {
      s.put("fsync", "on");
      s.put("synchronous_commit", "on");
      s.put("full_page_writes", "on");
    }
    s.putAll(postgresSettings);
    return s;
  }

  /** This executable again, for every server and component: same java, same class path. */
  static List<String> launcher() {
    return ServersCommand.launcher();
  }

  /** 30s, 10m, 1h, 500ms or ISO-8601 (PT1H). */
  static final class Lengths implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      if (v.startsWith("p")) {
        return Duration.parse(value);
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      return switch (v.charAt(v.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default ->
            throw new CommandLine.TypeConversionException(
                "Invalid value " + value + ": a length such as 30s, 10m, 1h or PT1H");
      };
    }
  }
}
