package dev.hourglass.cli;

import dev.hourglass.admin.KafkaAccess;
import dev.hourglass.config.Declarations;
import dev.hourglass.config.Shared;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.KafkaSecurity;
import dev.hourglass.forwarder.ForwarderConfig;
import dev.hourglass.sink.SinkConfig;
import dev.hourglass.streams.ProcessorConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * The secured broker's principals as local mode and {@code hourglass servers} set them up: the
 * secrets under {@code <data-dir>/secrets/kafka}, the ACLs of {@link KafkaAccess}, and for each
 * principal a settings file for the CLI's {@code -c} ({@code <data-dir>/clients/<principal>
 * .properties}) and one for kcat's {@code -F} ({@code <principal>.kcat.conf}), both owner-only
 * (0600): they hold the password, which is never printed or logged.
 */
final class KafkaClients {
  static final String DIR = "clients";

  /** The settings that name what the ACLs grant ({@link #access}). */
  static final List<String> NAMES =
      List.of(
          Shared.TOPIC_PREFIX,
          ProcessorConfig.APPLICATION_ID,
          SinkConfig.GROUP_ID,
          ForwarderConfig.GROUP_ID);

  private KafkaClients() {}

  /** The admin and every component principal, with passwords kept from earlier runs. */
  static KafkaSecurity prepare(Path dataDir, boolean plaintext) throws IOException {
    Path secrets = dataDir.resolve("secrets");
    if (!Files.isDirectory(secrets)) {
      Files.createDirectories(
          secrets,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    return KafkaSecurity.prepare(secrets.resolve("kafka"), KafkaAccess.PRINCIPALS, plaintext);
  }

  /** What a client of {@code principal} needs: brokers and its login. */
  static Map<String, Object> client(KafkaSecurity security, String bootstrap, String principal) {
    Map<String, Object> m = new LinkedHashMap<>(security.clientSettings(principal));
    m.put(Shared.BOOTSTRAP_SERVERS, bootstrap);
    return m;
  }

  /** {@code principal}'s login as {@code kafka.*} keys, for a component's settings. */
  static Map<String, String> settings(KafkaSecurity security, String principal) {
    return Shared.asKafkaKeys(security.clientSettings(principal));
  }

  /**
   * The ACLs for the names {@code s} configures ({@code topic.prefix}, {@code
   * streams.application.id}, {@code sink.group.id}, {@code forwarder.group.id}), each its declared
   * default when not set: the components started with the same settings are granted what they use.
   * Only these keys are read, so settings for the servers need no {@code bootstrap.servers} or
   * {@code jdbc.url}; the components check their values when they start.
   */
  static KafkaAccess access(Settings s) {
    return new KafkaAccess(
        Topics.withPrefix(named(s, Shared.KAFKA, Shared.TOPIC_PREFIX)),
        named(s, ProcessorConfig.DECLARATIONS, ProcessorConfig.APPLICATION_ID),
        named(s, SinkConfig.DECLARATIONS, SinkConfig.GROUP_ID),
        named(s, ForwarderConfig.DECLARATIONS, ForwarderConfig.GROUP_ID));
  }

  private static String named(Settings s, Declarations declarations, String key) {
    String value = s.values().get(key);
    return value != null
        ? value
        : String.valueOf(declarations.definition().configKeys().get(key).defaultValue);
  }

  /** Creates the ACLs of {@code access} as the admin (an existing ACL stays as it is). */
  static void grant(KafkaSecurity security, String bootstrap, KafkaAccess access) {
    try (Admin admin = Admin.create(client(security, bootstrap, KafkaSecurity.ADMIN))) {
      access.apply(admin);
    }
  }

  /**
   * Writes {@code <dir>/<principal>.properties} ({@code shared}, then the principal's {@code
   * kafka.*} login) and {@code <dir>/<principal>.kcat.conf} for every principal.
   *
   * @return the directory
   */
  static Path write(
      Path dataDir, KafkaSecurity security, String bootstrap, Map<String, String> shared)
      throws IOException {
    return write(dataDir, security, bootstrap, shared, Map.of());
  }

  /** As above, {@code own} replacing {@code shared} for the principals it names. */
  static Path write(
      Path dataDir,
      KafkaSecurity security,
      String bootstrap,
      Map<String, String> shared,
      Map<String, Map<String, String>> own)
      throws IOException {
    Path dir = dataDir.resolve(DIR);
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    for (String principal : security.principals()) {
      StringBuilder cli =
          new StringBuilder(
              "# Written by hourglass at each start: Kafka principal " + principal + ".\n");
      Map<String, String> all = new LinkedHashMap<>(own.getOrDefault(principal, shared));
      all.put(Shared.BOOTSTRAP_SERVERS, bootstrap);
      all.putAll(settings(security, principal));
      all.forEach((k, v) -> cli.append(k).append('=').append(escape(v)).append('\n'));
      writeOwnerOnly(dir.resolve(principal + ".properties"), cli.toString());
      writeOwnerOnly(dir.resolve(principal + ".kcat.conf"), kcat(security, bootstrap, principal));
    }
    return dir;
  }

  /** librdkafka's names for the same login (kcat {@code -F}). */
  private static String kcat(KafkaSecurity security, String bootstrap, String principal) {
    return String.join(
            "\n",
            List.of(
                "# Written by hourglass at each start: kcat -F <this file> ...",
                "bootstrap.servers=" + bootstrap,
                "security.protocol=SASL_SSL",
                "sasl.mechanisms=SCRAM-SHA-512",
                "sasl.username=" + principal,
                "sasl.password=" + security.password(principal),
                "ssl.ca.location=" + security.certificate().toAbsolutePath()))
        + "\n";
  }

  /** A properties value: backslashes doubled (Java properties read them as escapes). */
  private static String escape(String value) {
    return value.replace("\\", "\\\\");
  }

  static void writeOwnerOnly(Path file, String content) throws IOException {
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }
}
