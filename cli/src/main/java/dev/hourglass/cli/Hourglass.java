package dev.hourglass.cli;

import dev.hourglass.bench.BenchCommand;
import dev.hourglass.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code hourglass} executable: one subcommand per component, and {@code local} for the whole
 * pipeline on one machine. Run it through the {@code ./hourglass} launcher at the top of the
 * repository, which builds the jar when sources changed.
 *
 * <p>Exit codes: 0 success; 1 the command ran and failed (for {@code local}: the books do not
 * balance), or an unexpected error (its stack trace in the log); 2 bad usage or configuration; 3 a
 * server (Kafka, PostgreSQL) could not be reached.
 */
@Command(
    name = "hourglass",
    mixinStandardHelpOptions = true,
    versionProvider = Hourglass.Version.class,
    description =
        "Event-driven metrics pipeline: Kafka events -> hourly rollups and alerts -> PostgreSQL.",
    subcommands = {
      LocalCommand.class,
      ServersCommand.class,
      KafkaNodeCommand.class,
      KafkaSecretsCommand.class,
      KafkaAccessCommand.class,
      BackupCommand.class,
      RestoreCommand.class,
      RecoveryTestCommand.class,
      ChaosCommand.class,
      MigrateCommand.class,
      TopicsCommand.class,
      ProduceCommand.class,
      StreamsCommand.class,
      SinkCommand.class,
      AlertsCommand.class,
      ReportCommand.class,
      StatusCommand.class
    })
public final class Hourglass {
  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int UNREACHABLE = 3;
  private static final Logger LOG = LoggerFactory.getLogger(Hourglass.class);

  private Hourglass() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Hourglass());
    // The benchmarks live in their own module; they read -c FILE as every command here does.
    cli.addSubcommand(new BenchCommand(file -> new BenchSettings(Settings.load(file))));
    cli.addSubcommand(new CommandLine.HelpCommand());
    cli.setExecutionStrategy(
        parsed -> {
          // With --help, picocli lets unmatched arguments pass and shows the help of the last
          // command it knew: "hourglass nosuch --help" must fail as "hourglass nosuch" does.
          for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (!p.unmatched().isEmpty()) {
              throw new UnmatchedArgumentException(p.commandSpec().commandLine(), p.unmatched());
            }
          }
          return new CommandLine.RunLast().execute(parsed);
        });
    cli.setExecutionExceptionHandler(Hourglass::exitCode);
    return cli;
  }

  /**
   * What a command's exception means to the user. Only a {@link ConfigException} is a configuration
   * error (exit 2, every problem on stderr); a server that cannot be reached exits 3; anything else
   * is unexpected, a bug until shown otherwise: its stack trace goes to the log, one line to
   * stderr, exit 1.
   */
  static int exitCode(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    if (e instanceof ConfigException) {
      cmd.getErr()
          .println(cmd.getColorScheme().errorText("Configuration error:\n" + e.getMessage()));
      return USAGE;
    }
    if (unreachable(e)) {
      cmd.getErr()
          .println(cmd.getColorScheme().errorText("Cannot reach a server: " + e.getMessage()));
      return UNREACHABLE;
    }
    LOG.error("hourglass {} failed unexpectedly", cmd.getCommandName(), e);
    cmd.getErr()
        .println(
            cmd.getColorScheme()
                .errorText(
                    "hourglass "
                        + cmd.getCommandName()
                        + " failed unexpectedly (the stack trace is in the log): "
                        + e));
    return FAILED;
  }

  /** A refused connection or a Kafka client timeout anywhere in the cause chain. */
  static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (t instanceof java.net.ConnectException
          || t instanceof org.apache.kafka.common.errors.TimeoutException
          || message.contains("Connection refused")
          || message.contains("connection attempt failed")) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Hourglass.class.getPackage().getImplementationVersion();
      return new String[] {"hourglass " + (v == null ? "development build" : v)};
    }
  }
}
