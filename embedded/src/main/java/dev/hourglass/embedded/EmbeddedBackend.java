package dev.hourglass.embedded;

/** The in-JVM broker and a PostgreSQL child process, both on temporary directories. */
final class EmbeddedBackend implements Backend {
  private final EmbeddedKafka kafka;
  private final EmbeddedPostgres postgres;

  EmbeddedBackend() {
    this.kafka = EmbeddedKafka.start(EmbeddedKafka.Options.temporary());
    this.postgres = EmbeddedPostgres.start(EmbeddedPostgres.Options.temporary());
  }

  @Override
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  @Override
  public String jdbcUrl(String database) {
    return postgres.jdbcUrl(database);
  }

  @Override
  public String user() {
    return EmbeddedPostgres.SUPERUSER;
  }

  @Override
  public String password() {
    return postgres.superuserPassword();
  }

  @Override
  public String describe() {
    return "embedded (Kafka "
        + kafka.bootstrapServers()
        + ", PostgreSQL 127.0.0.1:"
        + postgres.port()
        + ")";
  }

  @Override
  public void close() {
    try {
      kafka.close();
    } finally {
      postgres.close();
    }
  }
}
