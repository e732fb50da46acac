package dev.hourglass.embedded;

/**
 * A running Kafka broker and PostgreSQL server that integration tests share for one JVM. Closing it
 * stops what it started (an external backend starts nothing and stops nothing).
 */
interface Backend extends AutoCloseable {
  String bootstrapServers();

  /** JDBC URL of {@code database} on the server. */
  String jdbcUrl(String database);

  /** A user allowed to create databases. */
  String user();

  String password();

  /** What this backend is, for the test log: kind and addresses, never the password. */
  String describe();

  @Override
  void close();
}
