package dev.hourglass.cli;

import dev.hourglass.admin.TopicProvisioner;
import dev.hourglass.admin.TopicSettings;
import dev.hourglass.config.Shared;
import dev.hourglass.contract.Topics;
import dev.hourglass.loadgen.LedgerCheck;
import dev.hourglass.loadgen.LoadGenerator;
import dev.hourglass.loadgen.LoadSummary;
import dev.hourglass.schema.Migrator;
import dev.hourglass.sink.SinkApp;
import dev.hourglass.sink.SinkConfig;
import dev.hourglass.streams.ProcessorConfig;
import dev.hourglass.streams.StreamsProcessorApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * What local mode does once its servers run, against servers a test started: the schema, the
 * topics, the processor and the sink in this JVM, loads sent with their ledgers, and the books.
 */
final class Pipeline implements AutoCloseable {
  static final String PREFIX = "hourglass.";

  final String bootstrap;
  final Map<String, Object> client;
  final Map<String, String> kafkaSettings;
  final String jdbcUrl;
  final String user;
  final String password;
  final Topics topics = Topics.withPrefix(PREFIX);

  /** The running sink; replaced by {@link #startSink()}. */
  volatile SinkApp sink;

  private final SinkConfig sinkConfig;
  private final StreamsProcessorApp streams;
  private final Path dir;
  private final List<Path> ledgers = new ArrayList<>();
  private final long started = System.nanoTime();

  Pipeline(Settings s, Path dir) {
    this.dir = dir;
    this.bootstrap = s.values().get(Shared.BOOTSTRAP_SERVERS);
    // Brokers and login (kafka.*), whatever the settings say: plaintext, or a secured broker's.
    this.client = Shared.kafkaClient(s.read(Shared.KAFKA));
    this.kafkaSettings = s.read(Shared.KAFKA).passThrough(Shared.KAFKA_CLIENT_PREFIX);
    this.jdbcUrl = s.values().get(Shared.JDBC_URL);
    this.user = s.values().get(Shared.JDBC_USER);
    this.password = Shared.jdbcPassword(s.read(Shared.JDBC));
    Migrator.forUrl(jdbcUrl, user, password).migrate();
    TopicProvisioner.provision(client, TopicSettings.from(s.read(TopicSettings.DECLARATIONS)));
    Settings streamsSettings =
        s.with(Map.of(ProcessorConfig.STATE_DIR, dir.resolve("state").toString()));
    streams =
        StreamsProcessorApp.start(
            ProcessorConfig.from(streamsSettings.read(ProcessorConfig.DECLARATIONS)));
    sinkConfig = SinkConfig.from(s.read(SinkConfig.DECLARATIONS));
    startSink();
  }

  /** Stops the sink, as an operator does before a restore that must be checked first. */
  void stopSink() {
    sink.close();
  }

  /** Starts a new sink (same group): it resumes from the offsets stored in PostgreSQL. */
  void startSink() {
    sink = new SinkApp(sinkConfig);
    sink.start();
  }

  /** Sends {@code events} generated from {@code seed}, its ledger beside the others. */
  LoadSummary send(long seed, long events) {
    LoadOptions load = new LoadOptions();
    new CommandLine(load)
        .parseArgs("--events", Long.toString(events), "--orgs", "5", "--seed", Long.toString(seed));
    Path ledger = dir.resolve("run-" + (ledgers.size() + 1) + ".jsonl");
    ledgers.add(ledger);
    return new LoadGenerator(load.toOptions(bootstrap, PREFIX, ledger), kafkaSettings)
        .run(System.out);
  }

  /** Waits until every acknowledged event of every load is in PostgreSQL, then reads the books. */
  Summary books(LoadSummary last) throws InterruptedException {
    long acknowledged = LedgerCheck.read(ledgers).sent().acknowledged();
    CatchUp.await(System.out, client, topics, sink, acknowledged, Duration.ofMinutes(4));
    return Summary.collect(
        client,
        topics,
        jdbcUrl,
        user,
        password,
        List.copyOf(ledgers),
        last,
        (System.nanoTime() - started) / 1e9,
        null);
  }

  @Override
  public void close() {
    sink.close();
    streams.close();
  }
}
