package dev.hourglass.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * <p>The broker then serves clients on a {@code SASL_SSL} listener (SCRAM-SHA-512), authorizes them
 * with Kafka's {@code StandardAuthorizer} (nothing is allowed without an ACL), and talks to itself
 * (inter-broker and controller listeners, loopback) over TLS with client certificates: only a
 * process holding the broker's key is a broker. {@link #ADMIN} is the one super-user principal;
 * every other principal gets only what ACLs grant it.
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

  /** The TLS principal of the brokers themselves (their certificate's subject). */
  static final String BROKER_PRINCIPAL = "User:CN=localhost";

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
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      ServerSecurity.writeCertificate(dir);
      Path pem = dir.resolve(KEY_AND_CERTIFICATE);
      if (!Files.exists(pem)) {
        ServerSecurity.writeOwnerOnly(
            pem,
            Files.readString(dir.resolve(ServerSecurity.PRIVATE_KEY), StandardCharsets.UTF_8)
                + Files.readString(dir.resolve(CERTIFICATE), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new EmbeddedServerException("cannot prepare the Kafka secrets in " + dir, e);
    }
    List<String> all =
        java.util.stream.Stream.concat(java.util.stream.Stream.of(ADMIN), principals.stream())
            .distinct()
            .toList();
    all.forEach(p -> ServerSecurity.password(dir.resolve(p + ".password")));
    return new KafkaSecurity(dir, all, plaintext);
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

  /** The settings of a client that is a broker: TLS with the broker's own certificate. */
  Map<String, Object> brokerClientSettings() {
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
