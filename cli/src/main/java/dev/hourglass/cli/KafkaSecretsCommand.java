package dev.hourglass.cli;

import dev.hourglass.admin.KafkaAccess;
import dev.hourglass.embedded.KafkaSecurity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Generates what a secured broker run elsewhere (docker compose) needs, in one directory: a TLS
 * certificate for {@code localhost}, {@code 127.0.0.1} and the {@code --host} names, the broker's
 * key and certificate ({@code broker.pem}), the settings of the broker's own tools ({@code
 * broker-client.properties}), and a generated password per principal ({@code <principal>.password},
 * the password alone). Existing files are kept. Nothing is printed but the directory.
 */
@Command(
    name = "kafka-secrets",
    mixinStandardHelpOptions = true,
    description =
        "Generates the Kafka certificate, broker key and one password per principal into --dir"
            + " (for docker compose); existing files are kept.")
final class KafkaSecretsCommand implements Callable<Integer> {
  static final String BROKER_CLIENT = "broker-client.properties";

  @Option(names = "--dir", required = true, description = "Where to write them (mode 0700).")
  Path dir;

  @Option(
      names = "--host",
      description = "A DNS name the broker is reached by, besides localhost (repeatable).")
  List<String> hosts = List.of();

  @Option(
      names = "--for-compose",
      description =
          "For docker-compose.yml: the files readable by other users (containers run as other"
              + " users and read them through bind mounts; the directory stays owner-only), and"
              + " broker-client.properties with the paths compose mounts the secrets at.")
  boolean forCompose;

  @Override
  public Integer call() throws IOException {
    KafkaSecurity security = KafkaSecurity.prepare(dir, KafkaAccess.PRINCIPALS, false, hosts);
    KafkaClients.writeOwnerOnly(
        dir.resolve(BROKER_CLIENT),
        forCompose
            ? security
                .brokerClientProperties()
                .replace(
                    security.certificate().toAbsolutePath().toString(), "/run/secrets/kafka_ca")
                .replace(
                    dir.resolve("broker.pem").toAbsolutePath().toString(),
                    "/run/secrets/kafka_broker_pem")
            : security.brokerClientProperties());
    if (forCompose) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.toList()) {
          Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
      }
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
    System.out.println("Kafka secrets in " + dir.toAbsolutePath());
    return 0;
  }
}
