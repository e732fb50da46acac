package dev.hourglass.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Authentication and TLS for the embedded PostgreSQL server: a generated superuser password in a
 * file only its owner can read, {@code scram-sha-256} for every role and connection in {@code
 * pg_hba.conf}, and a generated self-signed certificate for {@code localhost} and {@code 127.0.0.1}
 * that clients may verify with {@code sslmode=verify-full}.
 */
final class ServerSecurity {
  /** The superuser's password, beside the cluster directory. */
  static final String PASSWORD_FILE = "superuser.password";

  static final String CERTIFICATE = "server.crt";
  static final String PRIVATE_KEY = "server.key";
  private static final String OWNER_ONLY = "rw-------";

  /**
   * Every role authenticates with a password (SCRAM), on the loopback only (the server listens on
   * 127.0.0.1; the Unix socket is covered too). Written at every start, so a data directory from a
   * version that trusted loopback connections is closed as well.
   */
  private static final String HBA =
      """
      # Written by Hourglass at every start of the embedded server; edits are overwritten.
      # Every role needs its password (scram-sha-256); nothing is trusted.
      # TYPE  DATABASE  USER  ADDRESS       METHOD
      local   all       all                 scram-sha-256
      host    all       all   127.0.0.1/32  scram-sha-256
      host    all       all   ::1/128       scram-sha-256
      """;

  private ServerSecurity() {}

  /** The password in {@code file}, generated there (mode 0600) when the file does not exist. */
  static String password(Path file) {
    try {
      if (!Files.exists(file)) {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        writeOwnerOnly(file, password + "\n");
        return password;
      }
      return Files.readAllLines(file, StandardCharsets.UTF_8).get(0).strip();
    } catch (IOException | IndexOutOfBoundsException e) {
      throw new EmbeddedServerException("cannot read or create the password file " + file, e);
    }
  }

  static void writeHba(Path pgdata) {
    try {
      Files.writeString(pgdata.resolve("pg_hba.conf"), HBA, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new EmbeddedServerException("cannot write pg_hba.conf in " + pgdata, e);
    }
  }

  /**
   * A self-signed certificate and its key ({@value #CERTIFICATE}, {@code server.key}) in {@code
   * dir} unless there already: an EC P-256 key, valid ten years, for {@code localhost} and {@code
   * 127.0.0.1}. Made by the JDK's keytool (every Java runtime ships it), so no OpenSSL is needed.
   */
  static void writeCertificate(Path dir) {
    writeCertificate(dir, List.of());
  }

  /** As {@link #writeCertificate(Path)}, valid for {@code hosts} (DNS names) as well. */
  static void writeCertificate(Path dir, List<String> hosts) {
    Path certificate = dir.resolve(CERTIFICATE);
    if (Files.exists(certificate)) {
      return;
    }
    Path work = null;
    try {
      work = Files.createTempDirectory("hourglass-tls-");
      Path keystore = work.resolve("server.p12");
      byte[] random = new byte[18];
      new SecureRandom().nextBytes(random);
      String storePassword = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      ProcessBuilder keytool =
          new ProcessBuilder(
                  List.of(
                      Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                      "-genkeypair",
                      "-keystore",
                      keystore.toString(),
                      "-storetype",
                      "PKCS12",
                      // From the environment, so that the password is not on a command line.
                      "-storepass:env",
                      "HOURGLASS_KEYSTORE_PASSWORD",
                      "-alias",
                      "server",
                      "-keyalg",
                      "EC",
                      "-groupname",
                      "secp256r1",
                      "-validity",
                      "3650",
                      "-dname",
                      "CN=localhost",
                      "-ext",
                      "SAN=dns:localhost,ip:127.0.0.1"
                          + hosts.stream().map(h -> ",dns:" + h).collect(Collectors.joining())))
              .redirectErrorStream(true)
              .redirectOutput(work.resolve("keytool.log").toFile());
      keytool.environment().put("HOURGLASS_KEYSTORE_PASSWORD", storePassword);
      Process p = keytool.start();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new EmbeddedServerException(
            "keytool could not generate the server certificate: "
                + Files.readString(work.resolve("keytool.log")).strip());
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        store.load(in, storePassword.toCharArray());
      }
      Key key = store.getKey("server", storePassword.toCharArray());
      Certificate cert = store.getCertificate("server");
      writeOwnerOnly(dir.resolve(PRIVATE_KEY), pem("PRIVATE KEY", key.getEncoded()));
      Files.writeString(certificate, pem("CERTIFICATE", cert.getEncoded()));
    } catch (IOException | GeneralSecurityException e) {
      throw new EmbeddedServerException("cannot generate the server certificate in " + dir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedServerException("interrupted while generating the server certificate", e);
    } finally {
      if (work != null) {
        Directories.deleteRecursively(work);
      }
    }
  }

  /**
   * A libpq password file for {@code user} on this machine's loopback, any port and database, so
   * that {@code PGPASSFILE=<file> psql -U <user> ...} asks for nothing. The generated passwords
   * need no escaping (base64url).
   */
  static void writePgpass(Path file, String user, String password) {
    try {
      writeOwnerOnly(
          file,
          "127.0.0.1:*:*:"
              + user
              + ":"
              + password
              + "\nlocalhost:*:*:"
              + user
              + ":"
              + password
              + "\n");
    } catch (IOException e) {
      throw new EmbeddedServerException("cannot write the password file " + file, e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** Creates {@code file} readable and writable by its owner only, from the first byte. */
  static void writeOwnerOnly(Path file, String content) throws IOException {
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY)));
    } catch (FileAlreadyExistsException e) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(OWNER_ONLY));
    }
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }
}
