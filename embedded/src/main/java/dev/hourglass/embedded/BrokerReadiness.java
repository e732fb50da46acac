package dev.hourglass.embedded;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

/** Waits until a broker answers a metadata request, so callers never race its startup. */
final class BrokerReadiness {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private BrokerReadiness() {}

  /** Waits with a client of {@code settings} (bootstrap servers and security). */
  static void await(Map<String, Object> settings) {
    Object bootstrapServers = settings.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    Exception last = null;
    try (Admin admin = Admin.create(bounded(settings))) {
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

  /**
   * Sets the SCRAM-SHA-512 credential of every principal of {@code security} to its password file
   * (an upsert: the same on every start), as a broker (TLS with its certificate, a super-user).
   */
  static void upsertScram(Map<String, Object> settings, KafkaSecurity security) {
    List<UserScramCredentialAlteration> upserts =
        security.principals().stream()
            .<UserScramCredentialAlteration>map(
                p ->
                    new UserScramCredentialUpsertion(
                        p,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192),
                        security.password(p)))
            .toList();
    try (Admin admin = Admin.create(bounded(settings))) {
      admin.alterUserScramCredentials(upserts).all().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new EmbeddedServerException("cannot create the SCRAM credentials", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedServerException("interrupted while creating SCRAM credentials", e);
    }
  }

  private static Map<String, Object> bounded(Map<String, Object> settings) {
    Map<String, Object> m = new HashMap<>(settings);
    // Short attempts inside the overall deadline: a broker still starting is asked again soon.
    m.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    m.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    return m;
  }
}
