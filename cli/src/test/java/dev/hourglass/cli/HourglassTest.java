package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HourglassTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Hourglass.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void shouldRefuseAnUnknownCommandEvenWithHelp() {
    assertThat(run("nosuch", "--help")).isEqualTo(Hourglass.USAGE);
    assertThat(err.toString()).startsWith("Unmatched argument at index 0: 'nosuch'");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void shouldRefuseAnUnknownBenchmarkEvenWithHelp() {
    assertThat(run("bench", "nosuch", "--help")).isEqualTo(Hourglass.USAGE);
    assertThat(err.toString()).startsWith("Unmatched argument at index 1: 'nosuch'");
  }

  @Test
  void shouldListEveryBenchmarkUnderBench() {
    assertThat(run("bench", "--help")).isZero();
    assertThat(out.toString())
        .startsWith("Usage: hourglass bench [-hV] [COMMAND]")
        .containsPattern("(?m)^  pipeline  ")
        .containsPattern("(?m)^  sink      ")
        .containsPattern("(?m)^  query     ")
        .containsPattern("(?m)^  eos       ");
  }
}
