package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hourglass.avro.EventValidator;
import dev.hourglass.avro.Violation;
import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topic;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.events.TaskEventKind;
import dev.hourglass.schema.Migrator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.arbitraries.StringArbitrary;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Arbitrary events against a real PostgreSQL 18: every event the processor's validator accepts, the
 * sink decodes and writes without a database error (else the processor would count an event the
 * sink dead-letters, and the books would not balance), and every string, SQL-looking ones included,
 * is stored verbatim (NUL, which PostgreSQL text cannot hold, as a space).
 */
class EventWritePropertiesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Topics TOPICS = Topics.withPrefix(Topics.DEFAULT_PREFIX);
  private static final AtomicLong OFFSETS = new AtomicLong();
  private static final long NOW = Instant.now().toEpochMilli();

  private static EmbeddedPostgres pg;
  private static HikariDataSource dataSource;
  private static Connection c;

  private final EventValidator validator = EventValidator.standard(Clock.systemUTC());
  private final RecordDecoder decoder = new RecordDecoder(TOPICS, Clock.systemUTC());
  private final Partitions partitions = new Partitions();

  @BeforeContainer
  static void startPostgres() throws SQLException {
    pg = EmbeddedPostgres.start(EmbeddedPostgres.Options.temporary());
    pg.createDatabase("fuzz");
    Migrator.forUrl(pg.jdbcUrl("fuzz"), EmbeddedPostgres.SUPERUSER, pg.superuserPassword())
        .migrate();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(pg.jdbcUrl("fuzz"));
    config.setUsername(EmbeddedPostgres.SUPERUSER);
    config.setPassword(pg.superuserPassword());
    // As the sink's pool: every write is in a transaction the writer commits.
    config.setAutoCommit(false);
    config.setMaximumPoolSize(2);
    dataSource = new HikariDataSource(config);
    c = dataSource.getConnection();
  }

  @AfterContainer
  static void stopPostgres() throws SQLException {
    try {
      c.close();
      dataSource.close();
    } finally {
      pg.close();
    }
  }

  @Property(tries = 300)
  void shouldWriteEveryTaskEventTheValidatorAccepts(@ForAll("tasks") TaskEvent e)
      throws SQLException {
    if (written(e, Family.TASK)) {
      Map<String, Object> row =
          row(
              "SELECT title, metadata::text AS metadata FROM tasks WHERE id = ?::uuid",
              e.getTaskId());
      assertThat(row.get("title")).isEqualTo(stored(e.getTitle()));
      assertThat(metadata((String) row.get("metadata"))).isEqualTo(stored(e.getMetadata()));
    }
  }

  @Property(tries = 300)
  void shouldWriteEveryAgentEventTheValidatorAccepts(@ForAll("agents") AgentEvent e)
      throws SQLException {
    if (written(e, Family.AGENT)) {
      Map<String, Object> row =
          row(
              "SELECT t.context ->> 'repository' AS repository, a.agent_type FROM agent_tasks t"
                  + " JOIN codegen_agents a ON a.id = t.agent_id WHERE t.id = ?::uuid",
              e.getAgentTaskId());
      assertThat(row.get("agent_type")).isEqualTo(stored(e.getAgentType()));
      if (e.getRepository() != null) {
        assertThat(row.get("repository")).isEqualTo(stored(e.getRepository()));
      }
    }
  }

  @Property(tries = 300)
  void shouldWriteEveryIntegrationEventTheValidatorAccepts(
      @ForAll("integrations") IntegrationEvent e) throws SQLException {
    if (written(e, Family.INTEGRATION)) {
      Map<String, Object> row =
          row(
              "SELECT integration_type, event_type, jsonb_typeof(payload) AS kind,"
                  + " payload #>> '{}' AS text FROM integration_events WHERE id = ?::uuid",
              e.getEventId());
      assertThat(row.get("integration_type")).isEqualTo(stored(e.getIntegrationType()));
      assertThat(row.get("event_type")).isEqualTo(stored(e.getEventType()));
      if ("string".equals(row.get("kind")) && !isJson(e.getPayload())) {
        assertThat(row.get("text")).isEqualTo(stored(e.getPayload()));
      }
    }
  }

  /**
   * Whether the processor's validator accepts {@code e}; when it does, the sink must decode it and
   * write its rows (in a transaction rolled back afterwards, when the caller has read them).
   */
  private boolean written(SpecificRecord e, Family family) throws SQLException {
    Optional<Violation> violation = validator.validate(e);
    Statistics.collect(violation.isEmpty() ? "accepted" : "refused");
    Statistics.coverage(
        coverage -> coverage.check("accepted").percentage((Predicate<Double>) p -> p > 20));
    if (violation.isPresent()) {
      return false;
    }
    Topic<String, SpecificRecord> topic = TOPICS.events(family);
    byte[] bytes = topic.values().serializer().serialize(topic.name(), e);
    SinkRecord decoded =
        decoder.decode(
            new ConsumerRecord<>(topic.name(), 0, OFFSETS.incrementAndGet(), new byte[0], bytes));
    assertThat(decoded.payload())
        .as("decoded by the sink")
        .isNotInstanceOf(SinkRecord.Rejected.class);
    partitions.ensure(dataSource, Batch.plan(List.of(decoded)).months());
    c.rollback();
    BatchWriter.apply(c, List.of(decoded));
    return true;
  }

  private Map<String, Object> row(String sql, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("a row for %s", id).isTrue();
        Map<String, Object> row = new HashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
        }
        return row;
      }
    } finally {
      c.rollback();
    }
  }

  private static String stored(String text) {
    return text == null ? null : text.replace('\u0000', ' ');
  }

  private static Map<String, String> stored(Map<String, String> map) {
    Map<String, String> out = new HashMap<>();
    map.forEach((k, v) -> out.put(stored(k), stored(v)));
    return out;
  }

  private static Map<String, String> metadata(String json) {
    try {
      return JSON.readValue(json, new TypeReference<Map<String, String>>() {});
    } catch (java.io.IOException ex) {
      throw new AssertionError("metadata is not a JSON object of strings: " + json, ex);
    }
  }

  private static boolean isJson(String text) {
    try {
      JSON.readTree(text);
      return true;
    } catch (java.io.IOException | RuntimeException ex) {
      return false;
    }
  }

  @Provide
  Arbitrary<TaskEvent> tasks() {
    return Builders.withBuilder(TaskEvent::newBuilder)
        .use(uuid())
        .in((b, v) -> b.setEventId(v))
        .use(time())
        .in((b, v) -> b.setOccurredAt(v))
        .use(uuid())
        .in((b, v) -> b.setOrganizationId(v))
        .use(uuid())
        .in((b, v) -> b.setProjectId(v))
        .use(uuid())
        .in((b, v) -> b.setTaskId(v))
        .use(Arbitraries.of(TaskEventKind.class))
        .in((b, v) -> b.setKind(v))
        .use(priority())
        .in((b, v) -> b.setPriority(v))
        .use(uuid().injectNull(0.3))
        .in((b, v) -> b.setAssignedTo(v))
        .use(text(520).injectNull(0.2))
        .in((b, v) -> b.setTitle(v))
        .use(hours().injectNull(0.3))
        .in((b, v) -> b.setEstimatedHours(v))
        .use(hours().injectNull(0.3))
        .in((b, v) -> b.setActualHours(v))
        .use(uuid().injectNull(0.4))
        .in((b, v) -> b.setExecutionId(v))
        .use(Arbitraries.maps(text(30), text(80)).ofMaxSize(4))
        .in((b, v) -> b.setMetadata(v))
        .use(text(60).injectNull(0.5))
        .in((b, v) -> b.setSource(v))
        .build(TaskEvent.Builder::build);
  }

  @Provide
  Arbitrary<AgentEvent> agents() {
    return Builders.withBuilder(AgentEvent::newBuilder)
        .use(uuid())
        .in((b, v) -> b.setEventId(v))
        .use(time())
        .in((b, v) -> b.setOccurredAt(v))
        .use(uuid())
        .in((b, v) -> b.setOrganizationId(v))
        .use(uuid().injectNull(0.3))
        .in((b, v) -> b.setProjectId(v))
        .use(uuid())
        .in((b, v) -> b.setAgentId(v))
        .use(text(110))
        .in((b, v) -> b.setAgentType(v))
        .use(uuid())
        .in((b, v) -> b.setAgentTaskId(v))
        .use(Arbitraries.of(AgentEventKind.class))
        .in((b, v) -> b.setKind(v))
        .use(amount())
        .in((b, v) -> b.setTokensUsed(v))
        .use(amount())
        .in((b, v) -> b.setCostMicros(v))
        .use(score().injectNull(0.3))
        .in((b, v) -> b.setPerformanceScore(v))
        .use(amount().injectNull(0.3))
        .in((b, v) -> b.setDurationMs(v))
        .use(text(520).injectNull(0.3))
        .in((b, v) -> b.setRepository(v))
        .build(AgentEvent.Builder::build);
  }

  @Provide
  Arbitrary<IntegrationEvent> integrations() {
    return Builders.withBuilder(IntegrationEvent::newBuilder)
        .use(uuid())
        .in((b, v) -> b.setEventId(v))
        .use(time())
        .in((b, v) -> b.setOccurredAt(v))
        .use(uuid())
        .in((b, v) -> b.setOrganizationId(v))
        .use(text(110))
        .in((b, v) -> b.setIntegrationType(v))
        .use(text(260))
        .in((b, v) -> b.setEventType(v))
        .use(Arbitraries.of(IntegrationStatus.class))
        .in((b, v) -> b.setStatus(v))
        .use(Arbitraries.of(true, false))
        .in((b, v) -> b.setProcessed(v))
        .use(amount())
        .in((b, v) -> b.setLatencyMs(v))
        .use(text(2000).injectNull(0.2))
        .in((b, v) -> b.setPayload(v))
        .build(IntegrationEvent.Builder::build);
  }

  /** Mostly canonical UUIDs; sometimes any text (which the validator refuses). */
  private static Arbitrary<String> uuid() {
    return Arbitraries.frequencyOf(
        Tuple.of(
            30, Arbitraries.longs().tuple2().map(t -> new UUID(t.get1(), t.get2()).toString())),
        Tuple.of(1, text(40)));
  }

  /** Strings that look like SQL, JSON or escapes, any BMP text (NUL included), and mixes. */
  private static Arbitrary<String> text(int maxLength) {
    Arbitrary<String> tricky =
        Arbitraries.of(
            "'; DROP TABLE tasks; --",
            "Robert'); DELETE FROM sink_offsets; --",
            "' OR '1'='1",
            "\\",
            "\\x00",
            "E'\\\\'",
            "$$; SELECT pg_sleep(10); $$",
            "%_",
            "::uuid",
            "/* */",
            "{\"a\": [1, 2]}",
            "null",
            "\"quoted\"",
            "{\"k\": \"\\u0000\"}",
            "\u0000",
            "\r\n\t",
            "😀 émoji 𝔘 ",
            "");
    StringArbitrary any =
        Arbitraries.strings()
            .withCharRange('\u0000', '\uD7FF')
            .withCharRange('\uE000', '\uFFFD')
            .ofMaxLength(maxLength);
    Arbitrary<String> mixed =
        Arbitraries.frequencyOf(Tuple.of(1, tricky), Tuple.of(1, any.ofMaxLength(8)))
            .list()
            .ofMaxSize(12)
            .map(parts -> String.join("", parts))
            .filter(s -> s.codePointCount(0, s.length()) <= maxLength);
    Arbitrary<String> long_ = Arbitraries.strings().withChars('x', 'é', '\'').ofLength(maxLength);
    return Arbitraries.frequencyOf(
        Tuple.of(3, tricky), Tuple.of(3, any), Tuple.of(3, mixed), Tuple.of(1, long_));
  }

  /** Mostly the last two years, sometimes any time from 1970 to five minutes ahead. */
  private static Arbitrary<Instant> time() {
    return Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.longs().between(NOW - 730L * 86_400_000, NOW)),
            Tuple.of(1, Arbitraries.longs().between(0, NOW + 300_000)),
            Tuple.of(1, Arbitraries.of(0L, NOW + 240_000, NOW + 600_000)))
        .map(Instant::ofEpochMilli);
  }

  private static Arbitrary<Integer> priority() {
    return Arbitraries.frequencyOf(
        Tuple.of(9, Arbitraries.integers().between(1, 5)), Tuple.of(1, Arbitraries.integers()));
  }

  private static Arbitrary<Long> amount() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.longs().between(0, 1_000_000)),
        Tuple.of(2, Arbitraries.longs().between(0, Long.MAX_VALUE)),
        Tuple.of(1, Arbitraries.of(0L, Long.MAX_VALUE, (long) Integer.MAX_VALUE + 1)),
        Tuple.of(1, Arbitraries.longs()));
  }

  private static Arbitrary<Double> hours() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.doubles().between(0, 1000)),
        Tuple.of(2, Arbitraries.doubles()),
        Tuple.of(
            1,
            Arbitraries.of(
                Double.MAX_VALUE, Double.MIN_VALUE, 1e15, Double.NaN, Double.POSITIVE_INFINITY)));
  }

  private static Arbitrary<Double> score() {
    return Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.doubles().between(0, 1)),
        Tuple.of(1, Arbitraries.of(0.0, 1.0, Double.MIN_VALUE, -0.0, 1.0000001, Double.NaN)),
        Tuple.of(1, Arbitraries.doubles()));
  }
}
