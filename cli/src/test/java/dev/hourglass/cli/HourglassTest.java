package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The exit codes of {@code hourglass}: what each kind of failure and misuse tells the user. */
class HourglassTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private CommandLine cli() {
    CommandLine cli = Hourglass.commandLine();
    cli.addSubcommand(new Throws());
    // Set after every subcommand is added: picocli passes them down only to those it has.
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
    return cli;
  }

  @Test
  void shouldExitTwoNamingEveryConfigurationProblem(@TempDir Path dir) throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("h.properties"),
            "bootstrap.servers=127.0.0.1:1\nstreams.grace=10m\nstreams.num.stream.threads=0\n");

    int exit = cli().execute("streams", "-c", file.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            String.join(
                "\n",
                "Configuration error:",
                "Invalid value 10m for configuration streams.grace: was renamed to"
                    + " streams.grace.ms (milliseconds)",
                "Invalid value 0 for configuration streams.num.stream.threads: Value must be at"
                    + " least 1",
                ""));
  }

  @Test
  void shouldExitTwoOnABadLoadOption(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("h.properties"), "bootstrap.servers=127.0.0.1:1\n");

    int exit = cli().execute("produce", "-c", file.toString(), "--rate", "-1");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "Configuration error:\nInvalid value -1.0 for configuration --rate: must be 0 (as"
                + " fast as possible) or more\n");
  }

  @Test
  void shouldExitOneWithOneLineOnAnyOtherException() {
    int exit = cli().execute("throws", "java.lang.IllegalArgumentException");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(
            "hourglass throws failed unexpectedly (the stack trace is in the log):"
                + " java.lang.IllegalArgumentException: thrown on purpose\n");
  }

  @Test
  void shouldExitThreeWhenAServerCannotBeReached() {
    int exit = cli().execute("throws", TimeoutException.class.getName());

    assertThat(exit).isEqualTo(3);
    assertThat(err.toString()).isEqualTo("Cannot reach a server: thrown on purpose\n");
  }

  @Test
  void shouldRefuseAnUnknownCommandEvenWithHelp() {
    assertThat(cli().execute("nosuch", "--help")).isEqualTo(Hourglass.USAGE);
    assertThat(err.toString()).startsWith("Unmatched argument at index 0: 'nosuch'");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void shouldRefuseAnUnknownBenchmarkEvenWithHelp() {
    assertThat(cli().execute("bench", "nosuch", "--help")).isEqualTo(Hourglass.USAGE);
    assertThat(err.toString()).startsWith("Unmatched argument at index 1: 'nosuch'");
  }

  @Test
  void shouldListEveryBenchmarkUnderBench() {
    assertThat(cli().execute("bench", "--help")).isZero();
    assertThat(out.toString())
        .startsWith("Usage: hourglass bench [-hV] [COMMAND]")
        .containsPattern("(?m)^  pipeline  ")
        .containsPattern("(?m)^  sink      ")
        .containsPattern("(?m)^  query     ")
        .containsPattern("(?m)^  eos       ");
  }

  /**
   * A command that throws the exception class it is given, with the message "thrown on purpose".
   */
  @Command(name = "throws")
  static final class Throws implements Callable<Integer> {
    @CommandLine.Parameters String exceptionClass;

    @Override
    public Integer call() throws Exception {
      throw (Exception)
          Class.forName(exceptionClass)
              .getConstructor(String.class)
              .newInstance("thrown on purpose");
    }
  }
}
