package dev.hourglass.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One component ({@code hourglass streams} or {@code hourglass sink}) in an OS process of its own,
 * started with the harness's java and class path and a settings file ({@code -c}); it can be killed
 * (SIGKILL), stopped (SIGTERM), paused (SIGSTOP) and resumed (SIGCONT), and started again on the
 * same settings. Its readiness comes from its {@code /health/ready}, its peak memory from {@code
 * /proc}.
 */
final class Proc {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final String name;
  private final List<String> command;
  private final Path log;
  private final int metricsPort;
  private volatile Process process;
  private volatile long peakRss;
  private volatile boolean expectedDown;
  int unexpectedExits;
  int starts;

  Proc(String name, List<String> launcher, String subcommand, Path settings, Path log, int port) {
    this.name = name;
    List<String> c = new ArrayList<>(launcher);
    c.addAll(List.of(subcommand, "-c", settings.toString()));
    this.command = List.copyOf(c);
    this.log = log;
    this.metricsPort = port;
  }

  /** Where its output goes, appended across restarts. */
  Path log() {
    return log;
  }

  synchronized void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " still runs");
    }
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // The components log at INFO to their own file; nothing is read from their output.
    pb.environment().put("HOURGLASS_LOG_LEVEL", "INFO");
    process = pb.start();
    expectedDown = false;
    starts++;
  }

  boolean alive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL, and waits for the process to be gone. */
  void kill() throws InterruptedException {
    expectedDown = true;
    Process p = process;
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM (a clean stop: the component leaves its group), forced after a minute. */
  void stop() throws InterruptedException {
    expectedDown = true;
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroy();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  void pause() throws IOException, InterruptedException {
    signal("-STOP");
  }

  void resume() throws IOException, InterruptedException {
    signal("-CONT");
  }

  private void signal(String signal) throws IOException, InterruptedException {
    new ProcessBuilder("kill", signal, Long.toString(pid())).inheritIO().start().waitFor();
  }

  /** Samples its memory; restarts it (as a supervisor would) when it ended on its own. */
  void watch() throws IOException {
    Process p = process;
    if (p == null) {
      return;
    }
    if (p.isAlive()) {
      peakRss = Math.max(peakRss, Memory.rss(p.pid()));
    } else if (!expectedDown) {
      unexpectedExits++;
      start();
    }
  }

  long peakRss() {
    return peakRss;
  }

  boolean ready() {
    return alive() && get("/health/ready").map(r -> r.statusCode() == 200).orElse(false);
  }

  /** A counter or gauge of its {@code /metrics}, summed over labels; -1 when it does not answer. */
  double metric(String name) {
    return get("/metrics")
        .map(
            r -> {
              double sum = 0;
              Matcher m =
                  Pattern.compile(
                          "^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([-0-9.eE+NaInf]+)$",
                          Pattern.MULTILINE)
                      .matcher(r.body());
              while (m.find()) {
                double v = Double.parseDouble(m.group(2));
                if (!Double.isNaN(v)) {
                  sum += v;
                }
              }
              return sum;
            })
        .orElse(-1.0);
  }

  private java.util.Optional<HttpResponse<String>> get(String path) {
    try {
      return java.util.Optional.of(
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
                  .timeout(Duration.ofSeconds(3))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      return java.util.Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.Optional.empty();
    }
  }
}
