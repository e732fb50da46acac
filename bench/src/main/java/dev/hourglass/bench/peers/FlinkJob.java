package dev.hourglass.bench.peers;

import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptionsInternal;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExactlyOnceOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.postgresql.xa.PGXADataSource;

/**
 * Peer 3's job, run by {@link FlinkPeer} in a process of its own on Flink's MiniCluster: per
 * family, Flink's Kafka source, hourly event-time tumbling windows keyed by (organization, entity)
 * with Hourglass's grace as allowed lateness, and Flink's JDBC sink upserting the window's result
 * into the peer's table. Invalid and poison records go to a side output, written to the peer's
 * {@code dead_letters} table. Restores from the newest retained checkpoint, as a team's supervisor
 * would restart it after the process died.
 */
public final class FlinkJob {
  static final String BOOTSTRAP = "bootstrap.servers";
  static final String PREFIX = "topic.prefix";
  static final String GROUP = "group.id";
  static final String URL = "jdbc.url";
  static final String USER = "jdbc.user";
  static final String PASSWORD = "jdbc.password";
  static final String GRACE_MS = "grace.ms";
  static final String CHECKPOINTS = "checkpoints.dir";
  static final String EXACTLY_ONCE = "exactly.once";

  /** How often Flink checkpoints: what a crash replays, and how often the JDBC sink commits. */
  static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(5);

  /**
   * A source partition without records for this long no longer holds the watermark back (the docs'
   * advice for partitions that go quiet; their example's minute would only delay every window's
   * result by a minute after a burst here). Idleness does not advance the watermark: a window no
   * newer event passes never fires.
   */
  static final Duration IDLENESS = Duration.ofSeconds(10);

  private static final OutputTag<Parsed> DEAD =
      new OutputTag<>("dead", TypeInformation.of(Parsed.class));

  private FlinkJob() {}

  /**
   * args: the settings file, the ready marker ({@link ChildProcess}). At least once, one job reads
   * every family; exactly once, one job per family, each with its one XA sink: the connector names
   * a transaction by job id, subtask and checkpoint only, so two XA sinks in one job prepare the
   * same transaction id (see BENCHMARKS.md).
   */
  public static void main(String[] args) throws Exception {
    Properties p = ChildProcess.settings(args);
    Path checkpoints = Path.of(p.getProperty(CHECKPOINTS));
    boolean exactlyOnce = Boolean.parseBoolean(p.getProperty(EXACTLY_ONCE, "false"));
    List<JobClient> jobs = new ArrayList<>();
    if (exactlyOnce) {
      for (Family family : Family.values()) {
        Configuration c = configuration(checkpoints.resolve(family.id()));
        // The same job id in every process: the XA transactions a killed process left prepared
        // carry it, and only a job of the same id finds and rolls them back on recovery.
        c.set(PipelineOptionsInternal.PIPELINE_FIXED_JOB_ID, jobId(p, family).toHexString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(c);
        build(env, p, List.of(family), true);
        jobs.add(env.executeAsync("hourglass-bench-peers-flink-" + family.id()));
      }
    } else {
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.createLocalEnvironment(configuration(checkpoints));
      build(env, p, List.of(Family.values()), false);
      jobs.add(env.executeAsync("hourglass-bench-peers-flink"));
    }
    for (JobClient job : jobs) {
      while (job.getJobStatus().get() != JobStatus.RUNNING) {
        if (job.getJobStatus().get().isGloballyTerminalState()) {
          throw new IllegalStateException("the job ended as " + job.getJobStatus().get());
        }
        Thread.sleep(100);
      }
    }
    ChildProcess.ready(args, jobs.get(0).getJobID().toString());
    for (JobClient job : jobs) {
      job.getJobExecutionResult().get();
    }
  }

  /** A job id fixed by the peer's consumer group and the family. */
  private static JobID jobId(Properties p, Family family) {
    UUID u =
        UUID.nameUUIDFromBytes(
            (p.getProperty(GROUP) + "/" + family.id()).getBytes(StandardCharsets.UTF_8));
    return new JobID(u.getMostSignificantBits(), u.getLeastSignificantBits());
  }

  /** Flink's settings; each one not Flink's default says why. */
  static Configuration configuration(Path checkpoints) throws IOException {
    Configuration c = new Configuration();
    // Production jobs checkpoint (the docs' first step to fault tolerance); without it the JDBC
    // sink flushes only on its batch timer and a crash loses the window state. Exactly-once
    // checkpoint mode is the default.
    c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, CHECKPOINT_INTERVAL);
    // Durable checkpoints on the file system, kept when the job stops, so that a new process can
    // restore the last one: the JobManager's memory dies with the process.
    c.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    c.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    latestCheckpoint(checkpoints)
        .ifPresent(chk -> c.set(StateRecoveryOptions.SAVEPOINT_PATH, chk.toUri().toString()));
    // The machine's cores, as every pipeline gets; one slot per core.
    int cores = Runtime.getRuntime().availableProcessors();
    c.set(CoreOptions.DEFAULT_PARALLELISM, cores);
    c.set(TaskManagerOptions.NUM_TASK_SLOTS, cores);
    return c;
  }

  /** The newest completed checkpoint under {@code dir} (any earlier run's job), if any. */
  static Optional<Path> latestCheckpoint(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> all = Files.walk(dir, 3)) {
      return all.filter(f -> f.getFileName().toString().equals("_metadata"))
          .max(Comparator.comparingLong(FlinkJob::modified))
          .map(Path::getParent);
    }
  }

  private static long modified(Path f) {
    try {
      return Files.getLastModifiedTime(f).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  static void build(
      StreamExecutionEnvironment env, Properties p, List<Family> families, boolean exactlyOnce) {
    Topics topics = Topics.withPrefix(p.getProperty(PREFIX));
    Duration grace = Duration.ofMillis(Long.parseLong(p.getProperty(GRACE_MS)));
    for (Family family : families) {
      String topic = topics.events(family).name();
      KafkaSource<Parsed> source =
          KafkaSource.<Parsed>builder()
              .setBootstrapServers(p.getProperty(BOOTSTRAP))
              .setTopics(topic)
              // Offsets come from Flink's checkpoints; the group only shows progress (lag).
              .setGroupId(p.getProperty(GROUP))
              .setStartingOffsets(OffsetsInitializer.earliest())
              .setDeserializer(new EventSchema(family))
              .build();
      // The watermark follows the largest event time seen (no extra bound: events within grace
      // update their window through allowed lateness); a bad record carries no time.
      WatermarkStrategy<Parsed> watermarks =
          WatermarkStrategy.<Parsed>forBoundedOutOfOrderness(Duration.ZERO)
              .withTimestampAssigner((e, ts) -> e.bad() ? Long.MIN_VALUE : e.at())
              .withIdleness(IDLENESS);
      DataStream<Parsed> events = env.fromSource(source, watermarks, family.id() + "-events");
      SingleOutputStreamOperator<Parsed> valid =
          events.process(new SetAsideBad()).name(family.id() + "-valid");
      valid
          .keyBy(e -> e.org() + '\n' + e.entity())
          .window(TumblingEventTimeWindows.of(WindowedRollups.HOUR))
          .allowedLateness(grace)
          .reduce(FlinkJob::sum, new WindowRow())
          .name(family.id() + "-hours")
          .sinkTo(rowSink(family, p, exactlyOnce))
          .name(family.id() + "-jdbc");
      valid.getSideOutput(DEAD).sinkTo(deadLetterSink(p)).name(family.id() + "-dlq");
    }
  }

  private static Parsed sum(Parsed a, Parsed b) {
    return new Parsed(
        false,
        a.org(),
        a.entity(),
        Math.max(a.at(), b.at()),
        Measures.add(a.m().clone(), b.m()),
        null,
        0,
        0,
        null);
  }

  /**
   * Flink's JDBC sink, exactly once as its docs set it up: XA transactions prepared at each
   * checkpoint and committed once it completes, so rows appear only then.
   */
  private static <T> JdbcSink<T> exactlyOnceSink(
      String sql, JdbcStatementBuilder<T> statement, Properties p) {
    String url = p.getProperty(URL);
    String user = p.getProperty(USER);
    String password = p.getProperty(PASSWORD);
    return JdbcSink.<T>builder()
        .withQueryStatement(sql, statement)
        // The XA sink requires no retries: a retried batch would run in another transaction.
        .withExecutionOptions(JdbcExecutionOptions.builder().withMaxRetries(0).build())
        .buildExactlyOnce(
            // PostgreSQL runs one XA transaction per connection (the connector's docs).
            JdbcExactlyOnceOptions.builder().withTransactionPerConnection(true).build(),
            () -> {
              PGXADataSource ds = new PGXADataSource();
              ds.setUrl(url);
              ds.setUser(user);
              ds.setPassword(password);
              return ds;
            });
  }

  /**
   * Flink's JDBC sink, at least once: a restored checkpoint replays what its writer had not yet
   * flushed, which the upserts absorb.
   */
  private static <T> JdbcSink<T> sink(String sql, JdbcStatementBuilder<T> statement, Properties p) {
    String url = p.getProperty(URL);
    String user = p.getProperty(USER);
    String password = p.getProperty(PASSWORD);
    return JdbcSink.<T>builder()
        .withQueryStatement(sql, statement)
        // Rows reach PostgreSQL within 200 ms instead of at the next checkpoint or after 5,000
        // rows (the defaults), as Hourglass's sink writes them as they come.
        .withExecutionOptions(JdbcExecutionOptions.builder().withBatchIntervalMs(200).build())
        .buildAtLeastOnce(
            new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                .withUrl(url)
                .withDriverName("org.postgresql.Driver")
                .withUsername(user)
                .withPassword(password)
                .build());
  }

  /** Upserts a window's result: a late firing replaces the row with the larger aggregate. */
  private static JdbcSink<Parsed> rowSink(Family family, Properties p, boolean exactlyOnce) {
    int n = Measures.names(family).size();
    String columns = String.join(", ", Measures.names(family));
    String sql =
        "INSERT INTO "
            + PeerTables.table(family)
            + " (organization_id, "
            + family.entityKeyField()
            + ", window_start, "
            + columns
            + ") VALUES (?, ?, ?"
            + ", ?".repeat(n)
            + ") ON CONFLICT (organization_id, "
            + family.entityKeyField()
            + ", window_start) DO UPDATE SET "
            + Measures.names(family).stream()
                .map(m -> m + " = EXCLUDED." + m)
                .collect(Collectors.joining(", "));
    JdbcStatementBuilder<Parsed> statement =
        (PreparedStatement ps, Parsed row) -> {
          ps.setString(1, row.org());
          ps.setString(2, row.entity());
          ps.setObject(3, OffsetDateTime.ofInstant(Instant.ofEpochMilli(row.at()), ZoneOffset.UTC));
          for (int i : IntStream.range(0, n).toArray()) {
            ps.setLong(4 + i, row.m()[i]);
          }
        };
    return exactlyOnce ? exactlyOnceSink(sql, statement, p) : sink(sql, statement, p);
  }

  /**
   * Dead letters at least once in either mode: one XA sink per job, and the insert is idempotent
   * (one row per topic, partition and offset).
   */
  private static JdbcSink<Parsed> deadLetterSink(Properties p) {
    return sink(
        "INSERT INTO "
            + PeerTables.DEAD_LETTERS
            + " (topic, kafka_partition, kafka_offset, reason) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT DO NOTHING",
        (PreparedStatement ps, Parsed bad) -> {
          ps.setString(1, bad.topic());
          ps.setInt(2, bad.partition());
          ps.setLong(3, bad.offset());
          ps.setString(4, bad.reason());
        },
        p);
  }

  /**
   * One record of an event topic: an event's contribution to its row ({@code at} its event time,
   * and after windowing the window's start), or a bad record and where it was.
   */
  public record Parsed(
      boolean bad,
      String org,
      String entity,
      long at,
      long[] m,
      String topic,
      int partition,
      long offset,
      String reason) {}

  /** Decodes and validates as Hourglass does; a record that fails is kept as bad, not thrown. */
  static final class EventSchema implements KafkaRecordDeserializationSchema<Parsed> {
    private static final long serialVersionUID = 1L;
    private final Family family;
    private transient ValidatingEventDeserializer events;

    EventSchema(Family family) {
      this.family = family;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Parsed> out) {
      if (events == null) {
        events = new ValidatingEventDeserializer();
      }
      try {
        var event = events.deserialize(record.topic(), record.value());
        out.collect(
            new Parsed(
                false,
                family.organizationId(event),
                family.entityKey(event),
                family.occurredAt(event).toEpochMilli(),
                Measures.of(family, event),
                null,
                0,
                0,
                null));
      } catch (SerializationException | IllegalArgumentException e) {
        out.collect(
            new Parsed(
                true,
                null,
                null,
                0,
                null,
                record.topic(),
                record.partition(),
                record.offset(),
                String.valueOf(e.getMessage())));
      }
    }

    @Override
    public TypeInformation<Parsed> getProducedType() {
      return TypeInformation.of(Parsed.class);
    }
  }

  /** Bad records to the side output, the rest on. */
  static final class SetAsideBad extends ProcessFunction<Parsed, Parsed> {
    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(Parsed e, Context ctx, Collector<Parsed> out) {
      if (e.bad()) {
        ctx.output(DEAD, e);
      } else {
        out.collect(e);
      }
    }
  }

  /** The window's sum as its row: {@code at} becomes the window's start. */
  static final class WindowRow extends ProcessWindowFunction<Parsed, Parsed, String, TimeWindow> {
    private static final long serialVersionUID = 1L;

    @Override
    public void process(String key, Context ctx, Iterable<Parsed> sums, Collector<Parsed> out) {
      for (Parsed s : sums) {
        out.collect(
            new Parsed(
                false, s.org(), s.entity(), ctx.window().getStart(), s.m(), null, 0, 0, null));
      }
    }
  }
}
