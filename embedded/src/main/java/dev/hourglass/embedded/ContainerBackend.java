package dev.hourglass.embedded;

import java.util.List;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** Kafka and PostgreSQL 18 in Docker containers, for machines with a Docker engine. */
final class ContainerBackend implements Backend {
  static final String KAFKA_IMAGE = "apache/kafka:4.1.1";
  static final String POSTGRES_IMAGE = "postgres:18";

  private final KafkaContainer kafka;
  private final PostgreSQLContainer postgres;

  ContainerBackend() {
    kafka = new KafkaContainer(KAFKA_IMAGE);
    postgres = new PostgreSQLContainer(POSTGRES_IMAGE);
    postgres.setCommand(
        List.of("postgres", "-c", "shared_preload_libraries=pg_stat_statements")
            .toArray(String[]::new));
    kafka.start();
    postgres.start();
  }

  static boolean dockerAvailable() {
    try {
      return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  @Override
  public String bootstrapServers() {
    return kafka.getBootstrapServers();
  }

  @Override
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://"
        + postgres.getHost()
        + ":"
        + postgres.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT)
        + "/"
        + database;
  }

  @Override
  public String user() {
    return postgres.getUsername();
  }

  @Override
  public String password() {
    return postgres.getPassword();
  }

  @Override
  public String describe() {
    return "testcontainers (" + KAFKA_IMAGE + ", " + POSTGRES_IMAGE + ")";
  }

  @Override
  public void close() {
    try {
      kafka.stop();
    } finally {
      postgres.stop();
    }
  }
}
