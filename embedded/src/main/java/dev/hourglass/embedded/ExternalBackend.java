package dev.hourglass.embedded;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A broker and a database that already run elsewhere, named by {@code HOURGLASS_TEST_KAFKA} ({@code
 * host:port}) and {@code HOURGLASS_TEST_DB} ({@code
 * jdbc:postgresql://host:port/?user=u&password=p}; the user needs CREATEDB).
 */
final class ExternalBackend implements Backend {
  private final String bootstrapServers;
  private final String hostPort;
  private final String user;
  private final String password;

  ExternalBackend(String bootstrapServers, String jdbcUrl) {
    this.bootstrapServers = bootstrapServers;
    URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
    this.hostPort = uri.getHost() + ":" + (uri.getPort() == -1 ? 5432 : uri.getPort());
    Map<String, String> query = new LinkedHashMap<>();
    if (uri.getQuery() != null) {
      for (String pair : uri.getQuery().split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          query.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
      }
    }
    this.user = query.getOrDefault("user", "postgres");
    this.password = query.getOrDefault("password", "");
  }

  @Override
  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + hostPort + "/" + database;
  }

  @Override
  public String user() {
    return user;
  }

  @Override
  public String password() {
    return password;
  }

  @Override
  public String describe() {
    return "external (Kafka " + bootstrapServers + ", PostgreSQL " + hostPort + " as " + user + ")";
  }

  @Override
  public void close() {
    // Started elsewhere, stopped elsewhere.
  }
}
