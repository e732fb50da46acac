package dev.hourglass.embedded;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** Waits until a broker answers a metadata request, so callers never race its startup. */
final class BrokerReadiness {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private BrokerReadiness() {}

  static void await(String bootstrapServers) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    Exception last = null;
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000"))) {
      while (System.nanoTime() < deadline) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          last = e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new EmbeddedServerException("interrupted while waiting for " + bootstrapServers, e);
        }
      }
    }
    throw new EmbeddedServerException(
        "Kafka at " + bootstrapServers + " did not answer within " + DEADLINE, last);
  }
}
