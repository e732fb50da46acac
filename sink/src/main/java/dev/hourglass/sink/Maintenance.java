package dev.hourglass.sink;

import dev.hourglass.contract.Topic;
import dev.hourglass.contract.Topics;
import dev.hourglass.rollups.Alert;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A sink's part in the scheduled maintenance: the scheduler with its own database connection (the
 * sink's login, outside the pool) and a producer for database alerts. Built only when {@code
 * sink.maintenance.check.interval.ms} is not 0.
 */
final class Maintenance implements AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final MaintenanceScheduler scheduler;

  private Maintenance(KafkaProducer<String, byte[]> producer, MaintenanceScheduler scheduler) {
    this.producer = producer;
    this.scheduler = scheduler;
  }

  static Maintenance create(SinkConfig config, MeterRegistry registry) {
    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProperties(config));
    DatabaseAlerts.Publisher publisher = publisher(config, producer);
    MaintenanceConfig m = config.maintenance();
    MaintenanceScheduler scheduler =
        new MaintenanceScheduler(
            () -> connect(config),
            MaintenanceJobs.all(m, new DatabaseAlerts(m, publisher)),
            m.checkInterval(),
            Clock.systemUTC(),
            instance(),
            new MaintenanceMetrics(registry, MaintenanceJobs.NAMES));
    return new Maintenance(producer, scheduler);
  }

  /** Sends each alert on the alerts topic, in the configured format, and waits for the ack. */
  static DatabaseAlerts.Publisher publisher(
      SinkConfig config, KafkaProducer<String, byte[]> producer) {
    Topic<String, Alert> alerts =
        Topics.withPrefix(config.topicPrefix(), config.alertsFormat()).alerts();
    return (key, alert) ->
        producer
            .send(new ProducerRecord<>(alerts.name(), key, config.alertsFormat().encode(alert)))
            .get(60, TimeUnit.SECONDS);
  }

  void start() {
    scheduler.start();
  }

  /** A connection of its own, never from the sink's pool, with the maintenance timeouts. */
  static Connection connect(SinkConfig config) throws SQLException {
    MaintenanceConfig m = config.maintenance();
    Properties p = new Properties();
    p.setProperty("user", config.jdbcUser());
    p.setProperty("password", config.jdbcPassword());
    // Names the session in pg_stat_activity.
    p.setProperty("ApplicationName", "hourglass-maintenance");
    // Bounded statements and lock waits: a refresh or a partition drop can never hold the
    // sink's writes behind it for long; an idle transaction is never left open.
    p.setProperty(
        "options",
        "-c statement_timeout="
            + m.statementTimeout().toMillis()
            + " -c lock_timeout="
            + m.lockTimeout().toMillis()
            + " -c idle_in_transaction_session_timeout=60000");
    p.setProperty("connectTimeout", String.valueOf(config.connectionTimeout().toSeconds() + 1));
    // A dead peer is noticed even when the server cannot send a reset.
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("socketTimeout", String.valueOf(m.statementTimeout().toSeconds() + 30));
    return DriverManager.getConnection(config.jdbcUrl(), p);
  }

  static Properties producerProperties(SinkConfig config) {
    Properties p = new Properties();
    // Where the brokers are and how to authenticate (kafka.*).
    p.putAll(config.clientProperties());
    // An alert is on every in-sync replica before the job records it, and a retry never
    // writes it twice.
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    // Names this producer in the broker's logs and metrics.
    p.put(ProducerConfig.CLIENT_ID_CONFIG, config.groupId() + "-maintenance-alerts");
    // A job waits at most a minute for the broker, then fails and runs again later.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /** host/pid: which sink ran a job, in maintenance_jobs.last_instance. */
  static String instance() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    return host + "/" + ProcessHandle.current().pid();
  }

  @Override
  public void close() {
    scheduler.close();
    producer.close(Duration.ofSeconds(5));
  }
}
