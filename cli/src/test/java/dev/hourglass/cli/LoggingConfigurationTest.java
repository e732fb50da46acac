package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.xml.XmlConfiguration;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The executable's log4j2.xml: its levels, and that it drops only Kafka Streams' expected noise.
 */
class LoggingConfigurationTest {
  private static final String TASK_MANAGER =
      "org.apache.kafka.streams.processor.internals.TaskManager";
  private static final String STREAM_THREAD =
      "org.apache.kafka.streams.processor.internals.StreamThread";
  private static XmlConfiguration config;

  @BeforeAll
  static void load() throws IOException {
    config =
        new XmlConfiguration(
            new LoggerContext("shipped"),
            ConfigurationSource.fromResource(
                "log4j2.xml", LoggingConfigurationTest.class.getClassLoader()));
    config.initialize();
  }

  @Test
  void shouldLogOurComponentsAtInfoAndTheClientsAtWarn() {
    assertThat(config.getLoggerConfig("dev.hourglass.sink.SinkLoop").getLevel())
        .isEqualTo(Level.INFO);
    assertThat(config.getLoggerConfig("org.apache.kafka.clients.consumer.KafkaConsumer").getLevel())
        .isEqualTo(Level.WARN);
    assertThat(config.getLoggerConfig("com.zaxxer.hikari.pool.HikariPool").getLevel())
        .isEqualTo(Level.WARN);
  }

  @Test
  void shouldDropTheTaskManagerErrorOnlyWhenEveryTaskIsMerelyCorrupted() {
    String corrupted =
        "stream-thread [app-StreamThread-1] Get exceptions for the following tasks:"
            + " {1_4=org.apache.kafka.streams.errors.TaskCorruptedException: Tasks [1_4] are"
            + " corrupted and hence need to be re-initialized,"
            + " 0_1=org.apache.kafka.streams.errors.TaskCorruptedException: Tasks [0_1] are"
            + " corrupted and hence need to be re-initialized}";
    String mixed =
        corrupted.replace(
            "0_1=org.apache.kafka.streams.errors.TaskCorruptedException: Tasks [0_1] are"
                + " corrupted and hence need to be re-initialized",
            "0_1=org.apache.kafka.streams.errors.StreamsException: disk full");

    assertThat(filter(TASK_MANAGER, Level.ERROR, corrupted)).isEqualTo(Filter.Result.DENY);
    assertThat(filter(TASK_MANAGER, Level.ERROR, mixed)).isEqualTo(Filter.Result.NEUTRAL);
    assertThat(filter(TASK_MANAGER, Level.ERROR, "Failed to close task 0_1 cleanly"))
        .isEqualTo(Filter.Result.NEUTRAL);
    assertThat(
            filter(
                TASK_MANAGER,
                Level.WARN,
                "stream-thread [app-StreamThread-1] Encounter corrupted task 1_5, will group it"
                    + " with other corrupted tasks and handle together"))
        .isEqualTo(Filter.Result.DENY);
  }

  @Test
  void shouldLeaveTheFilteredLoggersAtTheKafkaClientsLevel() {
    assertThat(config.getLoggerConfig(TASK_MANAGER).getLevel()).isEqualTo(Level.WARN);
    assertThat(config.getLoggerConfig(TASK_MANAGER).getExplicitLevel()).isNull();
    assertThat(config.getLoggerConfig(STREAM_THREAD).getExplicitLevel()).isNull();
  }

  @Test
  void shouldDropTheStreamThreadWarningOfCorruptedTasksOnly() {
    assertThat(
            filter(
                STREAM_THREAD,
                Level.WARN,
                "stream-thread [app-StreamThread-1] Detected the states of tasks [0_1] are"
                    + " corrupted. Will close the task as dirty and re-create and bootstrap from"
                    + " scratch."))
        .isEqualTo(Filter.Result.DENY);
    assertThat(filter(STREAM_THREAD, Level.WARN, "stream-thread [app-StreamThread-1] other"))
        .isEqualTo(Filter.Result.NEUTRAL);
  }

  private static Filter.Result filter(String logger, Level level, String message) {
    LoggerConfig lc = config.getLoggerConfig(logger);
    assertThat(lc.getName()).isEqualTo(logger);
    return lc.getFilter()
        .filter(
            Log4jLogEvent.newBuilder()
                .setLoggerName(logger)
                .setLevel(level)
                .setMessage(new SimpleMessage(message))
                .build());
  }
}
