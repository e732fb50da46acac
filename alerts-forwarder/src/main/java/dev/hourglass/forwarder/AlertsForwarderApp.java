package dev.hourglass.forwarder;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerts forwarder's entry point ({@code hourglass alerts forward}): reads the alerts topic
 * ({@code read_committed}, consumer group {@code forwarder.group.id}) and posts each alert to
 * Alertmanager's {@code POST /api/v2/alerts} at {@code forwarder.alertmanager.url}, resending the
 * firing ones every {@code forwarder.resend.interval.ms}. See {@link AlertsForwarder}.
 */
public final class AlertsForwarderApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AlertsForwarderApp.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final AlertsForwarder forwarder;
  private final Thread thread;

  private AlertsForwarderApp(AlertsForwarder forwarder, Thread thread) {
    this.forwarder = forwarder;
    this.thread = thread;
  }

  /** Starts forwarding and blocks until the JVM is asked to stop. */
  public static void run(ForwarderConfig config) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    AlertsForwarderApp app = start(config);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                },
                "hourglass-forwarder-shutdown"));
    stopped.await();
  }

  /** Starts forwarding on a thread of its own and returns at once; {@link #close()} stops it. */
  public static AlertsForwarderApp start(ForwarderConfig config) {
    LOG.info("Starting the Hourglass alerts forwarder with:{}", config.describe());
    AlertsForwarder forwarder = new AlertsForwarder(config);
    Thread thread = new Thread(forwarder, "hourglass-alerts-forwarder");
    thread.start();
    return new AlertsForwarderApp(forwarder, thread);
  }

  /** Whether the forwarding thread still runs (it stops only when closed or on a Kafka error). */
  public boolean isRunning() {
    return thread.isAlive();
  }

  @Override
  public void close() {
    LOG.info("Stopping the Hourglass alerts forwarder");
    forwarder.stop();
    try {
      thread.join(CLOSE_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
