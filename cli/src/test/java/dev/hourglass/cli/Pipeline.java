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
  final String jdbcUrl;
  final String password;
  final Topics topics = Topics.withPrefix(PREFIX);
  final SinkApp sink;
  private final StreamsProcessorApp streams;
  private final Path dir;
  private final List<Path> ledgers = new ArrayList<>();
  private final long started = System.nanoTime();

  Pipeline(Settings s, Path dir) {
    this.dir = dir;
    this.bootstrap = s.values().get(Shared.BOOTSTRAP_SERVERS);
    this.jdbcUrl = s.values().get(Shared.JDBC_URL);
    this.password = Shared.jdbcPassword(s.read(Shared.JDBC));
    Migrator.forUrl(jdbcUrl, s.values().get(Shared.JDBC_USER), password).migrate();
    TopicProvisioner.provision(bootstrap, TopicSettings.from(s.read(TopicSettings.DECLARATIONS)));
    Settings streamsSettings =
        s.with(Map.of(ProcessorConfig.STATE_DIR, dir.resolve("state").toString()));
    streams =
        StreamsProcessorApp.start(
            ProcessorConfig.from(streamsSettings.read(ProcessorConfig.DECLARATIONS)));
    sink = new SinkApp(SinkConfig.from(s.read(SinkConfig.DECLARATIONS)));
    sink.start();
  }

  /** Sends {@code events} generated from {@code seed}, its ledger beside the others. */
  LoadSummary send(long seed, long events) {
    LoadOptions load = new LoadOptions();
    new CommandLine(load)
        .parseArgs("--events", Long.toString(events), "--orgs", "5", "--seed", Long.toString(seed));
    Path ledger = dir.resolve("run-" + (ledgers.size() + 1) + ".jsonl");
    ledgers.add(ledger);
    return new LoadGenerator(load.toOptions(bootstrap, PREFIX, ledger)).run(System.out);
  }

  /** Waits until every acknowledged event of every load is in PostgreSQL, then reads the books. */
  Summary books(LoadSummary last) throws InterruptedException {
    long acknowledged = LedgerCheck.read(ledgers).sent().acknowledged();
    CatchUp.await(System.out, bootstrap, topics, sink, acknowledged, Duration.ofMinutes(4));
    return Summary.collect(
        bootstrap,
        topics,
        jdbcUrl,
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
