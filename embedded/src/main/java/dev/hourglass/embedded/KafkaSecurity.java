package dev.hourglass.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a secured embedded broker needs, kept in one directory only its owner can read: a generated
 * TLS certificate for {@code localhost} and {@code 127.0.0.1} ({@value #CERTIFICATE}, the one the
 * embedded PostgreSQL serves is made the same way), the broker's key and certificate in one PEM
 * file, and a generated password file per principal ({@code <principal>.password}, mode 0600).
 *
 * <p>The broker then serves clients on a {@code SASL_SSL} listener (SCRAM-SHA-512) and authorizes
 * them with Kafka's {@code StandardAuthorizer} (nothing is allowed without an ACL). Its
 * inter-broker and controller listeners stay on 127.0.0.1; whoever talks there is the broker
 * ({@link ListenerPrincipalBuilder}). {@link #ADMIN} is the one super-user client principal; every
 * other principal gets only what ACLs grant it. docker-compose.yml's broker, reachable by other
 * containers, authenticates its brokers by this certificate instead ({@link #tlsBrokerClient}).
 *
 * @param dir the directory of the certificate, the key and the password files
 * @param principals every SCRAM login the broker accepts, {@link #ADMIN} included
 * @param plaintext whether a PLAINTEXT client listener is added (only when asked for)
 */
public record KafkaSecurity(Path dir, List<String> principals, boolean plaintext) {
  /** The super-user: provisions topics and ACLs. */
  public static final String ADMIN = "hourglass-admin";

  public static final String CERTIFICATE = "server.crt";
  static final String KEY_AND_CERTIFICATE = "broker.pem";

  public KafkaSecurity {
    Objects.requireNonNull(dir, "dir");
    principals = List.copyOf(principals);
    if (!principals.contains(ADMIN)) {
      throw new IllegalArgumentException("principals must include " + ADMIN);
    }
  }

  /**
   * Creates (or reuses) {@code dir} with the certificate, the broker's key and a password for each
   * of {@code principals} and {@link #ADMIN}; existing files are kept, so a restarted broker and
   * its clients keep their credentials.
   */
  public static KafkaSecurity prepare(Path dir, List<String> principals, boolean plaintext) {
    return prepare(dir, principals, plaintext, List.of());
  }

  /**
   * As {@link #prepare(Path, List, boolean)}, with a new certificate valid for {@code hosts} as
   * well (a broker that clients reach by another name, such as {@code kafka} in docker compose).
   */
  public static KafkaSecurity prepare(
      Path dir, List<String> principals, boolean plaintext, List<String> hosts) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      ServerSecurity.writeCertificate(dir, hosts);
      // Rewritten when it differs, so that it always pairs the current key and certificate.
      Path pem = dir.resolve(KEY_AND_CERTIFICATE);
      String pair =
          Files.readString(dir.resolve(ServerSecurity.PRIVATE_KEY), StandardCharsets.UTF_8)
              + Files.readString(dir.resolve(CERTIFICATE), StandardCharsets.UTF_8);
      if (!Files.exists(pem) || !Files.readString(pem, StandardCharsets.UTF_8).equals(pair)) {
        ServerSecurity.writeOwnerOnly(pem, pair);
      }
    } catch (IOException e) {
      throw new EmbeddedServerException("cannot prepare the Kafka secrets in " + dir, e);
    }
    List<String> all =
        java.util.stream.Stream.concat(java.util.stream.Stream.of(ADMIN), principals.stream())
            .distinct()
            .toList();
    all.forEach(p -> generatePassword(dir.resolve(p + ".password")));
    return new KafkaSecurity(dir, all, plaintext);
  }

  /**
   * A generated password in {@code file} (0600) unless there: the password alone, no newline, so
   * that Kafka's {@code DirectoryConfigProvider} can read it as it is.
   */
  private static void generatePassword(Path file) {
    if (Files.exists(file)) {
      return;
    }
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    try {
      ServerSecurity.writeOwnerOnly(
          file, Base64.getUrlEncoder().withoutPadding().encodeToString(random));
    } catch (IOException e) {
      throw new EmbeddedServerException("cannot create the password file " + file, e);
    }
  }

  /**
   * Sets every principal's SCRAM-SHA-512 credential to its password file, connecting as a broker
   * (TLS with the broker's certificate, a super-user) to {@code internalBootstrap}, the broker's
   * inter-broker listener; waits until the broker answers first. What a broker started elsewhere (a
   * container) needs before its clients can log in.
   */
  public void createCredentials(String internalBootstrap) {
    Map<String, Object> asBroker = tlsBrokerClient(internalBootstrap);
    BrokerReadiness.await(asBroker);
    BrokerReadiness.upsertScram(asBroker, this);
  }

  /**
   * A client that is a broker (a super-user) by its TLS certificate, on the inter-broker listener
   * at {@code bootstrap} of a broker whose brokers authenticate so (docker-compose.yml).
   */
  public Map<String, Object> tlsBrokerClient(String bootstrap) {
    Map<String, Object> asBroker = new LinkedHashMap<>(tlsBrokerClientSettings());
    asBroker.put("bootstrap.servers", bootstrap);
    return asBroker;
  }

  /** {@link #tlsBrokerClient} as Kafka properties text, for a broker's own tools. */
  public String brokerClientProperties() {
    StringBuilder b = new StringBuilder();
    tlsBrokerClientSettings().forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
    return b.toString();
  }

  /** The generated password of {@code principal}, from its file. */
  public String password(String principal) {
    return ServerSecurity.password(passwordFile(principal));
  }

  public Path passwordFile(String principal) {
    return dir.resolve(principal + ".password");
  }

  /** The certificate clients trust (PEM). */
  public Path certificate() {
    return dir.resolve(CERTIFICATE);
  }

  /**
   * The client settings that log {@code principal} in over SASL_SSL, keys as Kafka names them
   * (without the {@code kafka.} prefix of our configuration). They hold the password: write them to
   * files only their owner can read, never to a log.
   */
  public Map<String, String> clientSettings(String principal) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("security.protocol", "SASL_SSL");
    m.put("sasl.mechanism", "SCRAM-SHA-512");
    m.put("sasl.jaas.config", jaas(principal, password(principal)));
    m.put("ssl.truststore.type", "PEM");
    m.put("ssl.truststore.location", certificate().toAbsolutePath().toString());
    return m;
  }

  /** A JAAS line for SCRAM; generated passwords are base64url, so they need no escaping. */
  public static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }

  /** The settings of a client that is a broker: on the loopback inter-broker listener. */
  Map<String, Object> brokerClientSettings() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("security.protocol", "PLAINTEXT");
    return m;
  }

  private Map<String, Object> tlsBrokerClientSettings() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("security.protocol", "SSL");
    m.putAll(tls());
    return m;
  }

  /** Key store and trust store, both PEM files: no store passwords to keep. */
  Map<String, String> tls() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("ssl.keystore.type", "PEM");
    m.put("ssl.keystore.location", dir.resolve(KEY_AND_CERTIFICATE).toAbsolutePath().toString());
    m.put("ssl.truststore.type", "PEM");
    m.put("ssl.truststore.location", certificate().toAbsolutePath().toString());
    return m;
  }
}
