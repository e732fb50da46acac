package dev.hourglass.cli;

import dev.hourglass.admin.KafkaAccess;
import dev.hourglass.embedded.KafkaSecurity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Sets up the principals of a secured broker run elsewhere (docker compose), from the directory
 * {@code hourglass kafka-secrets} wrote: each principal's SCRAM-SHA-512 credential (its password
 * file) and the ACLs of {@link KafkaAccess} for the names configured with {@code -c} and the
 * environment (topic prefix, application and group ids; the defaults otherwise), connecting as a
 * broker (TLS with the broker's certificate) to the broker's inter-broker listener. Run again, it
 * changes nothing.
 */
@Command(
    name = "kafka-access",
    mixinStandardHelpOptions = true,
    description =
        "Creates the SCRAM logins and ACLs of every Hourglass principal on a secured broker,"
            + " as a broker (the certificate of kafka-secrets), on its inter-broker listener.")
final class KafkaAccessCommand implements Callable<Integer> {
  @Mixin ConfigOption config;

  @Option(names = "--secrets", required = true, description = "What kafka-secrets wrote.")
  Path secrets;

  @Option(
      names = "--internal",
      required = true,
      description = "host:port of the broker's inter-broker (TLS, client certificate) listener.")
  String internal;

  @Override
  public Integer call() {
    // Read only: the secrets are generated on the host, mounted read-only here.
    List<String> principals = new ArrayList<>(KafkaAccess.PRINCIPALS);
    principals.add(KafkaSecurity.ADMIN);
    KafkaSecurity security = new KafkaSecurity(secrets, principals, false);
    security.createCredentials(internal);
    Map<String, Object> asBroker = security.tlsBrokerClient(internal);
    try (Admin admin = Admin.create(asBroker)) {
      KafkaClients.access(config.settings()).apply(admin);
    }
    System.out.println("SCRAM logins and ACLs set for " + String.join(", ", security.principals()));
    return 0;
  }
}
