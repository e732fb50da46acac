package dev.hourglass.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hourglass.config.ConfigException;
import dev.hourglass.config.Shared;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics} (Prometheus text format), {@code /health/live} and {@code /health/ready} of the
 * components running in this JVM, on the JDK's own HTTP server: 200 when every component is, 503
 * and the ones that are not otherwise, so that an orchestrator's probe needs nothing but the
 * status.
 */
final class MetricsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

  /** One component's health. */
  record Probe(String component, BooleanSupplier live, BooleanSupplier ready) {}

  private final HttpServer server;
  private final ExecutorService executor;
  private final String host;

  private MetricsServer(HttpServer server, ExecutorService executor, String host) {
    this.server = server;
    this.executor = executor;
    this.host = host;
  }

  /**
   * Serves {@code registry} and {@code probes} on {@code host:port}; nothing when {@code port} is
   * 0.
   *
   * @throws ConfigException when the port is taken, naming {@code metrics.port}
   */
  static Optional<MetricsServer> start(
      String host, int port, PrometheusMeterRegistry registry, List<Probe> probes) {
    if (port == 0) {
      LOG.info("Metrics and health endpoints off ({}=0)", Shared.METRICS_PORT);
      return Optional.empty();
    }
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (BindException e) {
      throw new ConfigException(
          "Invalid value "
              + port
              + " for configuration "
              + Shared.METRICS_PORT
              + ": "
              + host
              + ":"
              + port
              + " is in use; choose a free port, or 0 to turn the endpoints off");
    } catch (IOException e) {
      throw new IllegalStateException("cannot serve metrics on " + host + ":" + port, e);
    }
    // Scrapes and probes are few and short; one thread keeps them off the pipeline's threads.
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "hourglass-metrics-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext(
        "/metrics",
        x -> respond(x, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext("/health/live", x -> health(x, probes, Probe::live, "live"));
    server.createContext("/health/ready", x -> health(x, probes, Probe::ready, "ready"));
    server.start();
    MetricsServer started = new MetricsServer(server, executor, host);
    LOG.info("Metrics on {}, health on /health/live and /health/ready", started.url());
    return Optional.of(started);
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** The metrics URL, as a scraper on this machine reaches it. */
  String url() {
    String shown = host.equals("0.0.0.0") ? "127.0.0.1" : host;
    return "http://" + shown + ":" + port() + "/metrics";
  }

  private interface Check {
    BooleanSupplier of(Probe probe);
  }

  private static void health(HttpExchange x, List<Probe> probes, Check check, String what)
      throws IOException {
    StringBuilder body = new StringBuilder();
    boolean all = true;
    for (Probe p : probes) {
      boolean ok;
      try {
        ok = check.of(p).getAsBoolean();
      } catch (RuntimeException e) {
        ok = false;
      }
      all &= ok;
      body.append(p.component()).append(' ').append(ok ? what : "not " + what).append('\n');
    }
    respond(x, all ? 200 : 503, "text/plain; charset=utf-8", body.toString());
  }

  private static void respond(HttpExchange x, int status, String type, String body)
      throws IOException {
    try (x) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().set("Content-Type", type);
      if ("HEAD".equals(x.getRequestMethod())) {
        x.sendResponseHeaders(status, -1);
        return;
      }
      x.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
