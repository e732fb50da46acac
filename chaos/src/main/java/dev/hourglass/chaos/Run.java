package dev.hourglass.chaos;

import dev.hourglass.admin.KafkaAccess;
import dev.hourglass.contract.Topic;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.KafkaSecurity;
import dev.hourglass.loadgen.LedgerCheck;
import dev.hourglass.loadgen.LoadGenerator;
import dev.hourglass.loadgen.LoadGeneratorOptions;
import dev.hourglass.loadgen.LoadSummary;
import dev.hourglass.loadgen.StreamStats;
import dev.hourglass.schema.PipelineTotals;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * One scenario's pipeline: the servers, {@code hourglass migrate} and {@code topics} run as an
 * operator runs them, the processors and sinks each in its own process, the load sent from this
 * process with its ledger, and at the end the invariants checked against the ledger.
 */
final class Run implements AutoCloseable {
  static final String SINK_LOGIN = "hourglass_sink";
  private static final String SINK_SYNCHRONOUS_COMMIT = "sink.synchronous.commit";
  private static final Duration READY_WITHIN = Duration.ofMinutes(3);
  private static final Duration STABLE = Duration.ofSeconds(5);

  final Servers servers;
  final List<Proc> streams = new ArrayList<>();
  final List<Proc> sinks = new ArrayList<>();
  final List<String> faults = new ArrayList<>();
  private final Path dir;
  private final List<String> launcher;
  private final PrintStream out;
  private final Topics topics = Topics.withPrefix(Topics.DEFAULT_PREFIX);
  private final List<Path> ledgers = new ArrayList<>();
  private final List<Path> resent = new ArrayList<>();
  private final List<LoadSummary> loads = new ArrayList<>();
  private final Thread watcher;
  private final Map<String, String> sinkSettings = new LinkedHashMap<>();
  private volatile boolean closed;
  final Instant eventTimeEnd = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

  private Run(Path dir, List<String> launcher, Servers servers, PrintStream out) {
    this.dir = dir;
    this.launcher = launcher;
    this.servers = servers;
    this.out = out;
    this.watcher = new Thread(this::watch, "chaos-watcher");
    watcher.setDaemon(true);
  }

  static Run start(
      Path dir, ChaosOptions options, int brokers, int processors, int sinkCount, PrintStream out)
      throws Exception {
    List<String> launcher = options.launcher();
    boolean staticMembership = options.staticMembership();
    Files.createDirectories(dir.resolve("logs"));
    Servers servers =
        Servers.start(dir, launcher, brokers, options.secured(), options.postgresSettings());
    Run run = new Run(dir, launcher, servers, out);
    run.sinkSettings.putAll(options.sinkSettings());
    // Stopping the harness (Ctrl-C) stops what it started, PostgreSQL included.
    Runtime.getRuntime().addShutdownHook(new Thread(run::close, "chaos-shutdown"));
    try {
      run.once("migrate");
      run.once("topics");
      Path secrets =
          Files.createDirectories(
              dir.resolve("secrets"),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path sinkPassword = secrets.resolve(SINK_LOGIN + ".password");
      servers
          .postgres()
          .createLogin(
              SINK_LOGIN, sinkPassword, List.of("hourglass_writer", "hourglass_maintainer"));
      for (int i = 1; i <= processors; i++) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("streams.state.dir", dir.resolve("streams-" + i + "-state").toString());
        if (staticMembership) {
          // The README's advice for instances that restart in place: a static identity each.
          keys.put("streams.kafka.group.instance.id", "streams-" + i);
        }
        run.streams.add(run.component("streams-" + i, "streams", KafkaAccess.STREAMS, keys));
      }
      for (int i = 1; i <= sinkCount; i++) {
        Map<String, String> keys = new LinkedHashMap<>();
        // The sink logs in as its own role, never as the superuser of client.properties.
        keys.put("jdbc.user", SINK_LOGIN);
        keys.put("jdbc.password.file", sinkPassword.toString());
        if (staticMembership) {
          keys.put("sink.consumer.group.instance.id", "sink-" + i);
        }
        keys.putAll(options.sinkSettings());
        run.sinks.add(run.component("sink-" + i, "sink", KafkaAccess.SINK, keys));
      }
      for (Proc p : run.all()) {
        p.start();
      }
      run.watcher.start();
      run.awaitReady();
      return run;
    } catch (Exception e) {
      run.close();
      throw e;
    }
  }

  /** Runs a one-shot command ({@code migrate}, {@code topics}) on client.properties. */
  private void once(String command) throws IOException, InterruptedException {
    List<String> c = new ArrayList<>(launcher);
    c.addAll(List.of(command, "-c", servers.clientProperties().toString()));
    Path log = dir.resolve("logs").resolve(command + ".log");
    Process p =
        new ProcessBuilder(c)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("hourglass " + command + " failed; its output: " + log);
    }
  }

  /**
   * A component's settings file (owner-only: it holds a password): the servers' shared settings,
   * its {@code principal}'s Kafka login when secured, and the component's own keys (its metrics
   * port, state directory, database login); no other Kafka client setting is added.
   */
  private Proc component(String name, String command, String principal, Map<String, String> keys)
      throws IOException {
    int port = freePort();
    StringBuilder text = new StringBuilder(servers.shared());
    servers
        .kafkaLogin(principal)
        .forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    text.append("# ").append(name).append("'s own keys, added by hourglass chaos\n");
    text.append("metrics.port=").append(port).append('\n');
    keys.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    Path file = dir.resolve(name + ".properties");
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return new Proc(
        name, launcher, command, file, dir.resolve("logs").resolve(name + ".log"), port);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  List<Proc> all() {
    List<Proc> all = new ArrayList<>(streams);
    all.addAll(sinks);
    return all;
  }

  private void watch() {
    while (!closed) {
      try {
        servers.watch();
        for (Proc p : all()) {
          p.watch();
        }
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        out.println("  watcher: " + e);
      }
    }
  }

  /** Waits until every component answers ready; returns how long that took. */
  Duration awaitReady() throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + READY_WITHIN.toNanos();
    while (!all().stream().allMatch(Proc::ready)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "not ready within "
                + READY_WITHIN
                + ": "
                + all().stream().filter(p -> !p.ready()).map(p -> p.name).toList()
                + "; logs in "
                + dir.resolve("logs"));
      }
      Thread.sleep(200);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** Waits until {@code p} answers ready; returns how long that took. */
  Duration awaitReady(Proc p) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + READY_WITHIN.toNanos();
    while (!p.ready()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(p.name + " not ready within " + READY_WITHIN);
      }
      Thread.sleep(100);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  void fault(String what, Duration recovery) {
    String line = what + (recovery == null ? "" : "; ready again in " + Report.seconds(recovery));
    faults.add(line);
    out.println("  fault: " + line);
  }

  /** Load options for this run: the scenario's events, ending at the run's event time. */
  LoadGeneratorOptions load(long seed, long events, double rate, Duration duration, double faults)
      throws IOException {
    return load(seed, events, rate, duration, faults, eventTimeEnd);
  }

  /** Load options whose event time ends at {@code end}. */
  LoadGeneratorOptions load(
      long seed, long events, double rate, Duration duration, double faults, Instant end)
      throws IOException {
    Path ledger = dir.resolve("ledger-" + (ledgers.size() + resent.size() + 1) + ".jsonl");
    return new LoadGeneratorOptions(
        servers.bootstrapServers(),
        topics.prefix(),
        duration == null ? events : 0,
        rate,
        duration,
        seed,
        LoadGeneratorOptions.DEFAULT_ORGS,
        1,
        faults * 0.2,
        faults,
        faults * 0.2,
        faults * 0.1,
        faults * 0.5,
        faults * 0.5,
        ledger,
        dir.resolve(ledger.getFileName() + ".failed"),
        LoadGeneratorOptions.DEFAULT_GRACE,
        LoadGeneratorOptions.MIN_EVENT_SPAN,
        end);
  }

  /** Sends in the background; a resend's ledger counts its events as duplicates. */
  CompletableFuture<LoadSummary> send(LoadGeneratorOptions options, boolean isResend) {
    (isResend ? resent : ledgers).add(options.ledger());
    // The load logs in as the producer principal: what a service embedding the library may do.
    LoadGenerator generator = new LoadGenerator(options, servers.loginOf(KafkaAccess.PRODUCER));
    return CompletableFuture.supplyAsync(
        () -> {
          LoadSummary s = generator.run(new PrintStream(PrintStream.nullOutputStream()));
          synchronized (loads) {
            loads.add(s);
          }
          out.println("  load: " + s.describe());
          return s;
        });
  }

  /**
   * Waits until the processor has accounted for every acknowledged event and the offsets stored in
   * PostgreSQL have equalled the topics' end offsets for a few seconds (I4); returns how long.
   */
  Duration awaitCaughtUp(Duration timeout) throws Exception {
    long start = System.nanoTime();
    long acknowledged = LedgerCheck.read(ledgers, resent).sent().acknowledged();
    long since = 0;
    long lastReport = start;
    while (true) {
      StreamStats stats = stats();
      long accounted = stats.counted() + stats.duplicatesSuppressed() + stats.deadLetteredTotal();
      long lag = accounted >= acknowledged ? lag() : -1;
      long now = System.nanoTime();
      if (lag == 0) {
        if (since == 0) {
          since = now;
        } else if (now - since >= STABLE.toNanos()) {
          return Duration.ofNanos(since - start);
        }
      } else {
        since = 0;
      }
      if (now - lastReport > Duration.ofSeconds(15).toNanos()) {
        out.printf(
            "  waiting: processor accounted for %d of %d; sink lag %s%n",
            accounted, acknowledged, lag < 0 ? "(not measured yet)" : lag);
        lastReport = now;
      }
      if (now - start > timeout.toNanos()) {
        throw new IllegalStateException(
            "not caught up within "
                + timeout
                + ": processor accounted for "
                + accounted
                + " of "
                + acknowledged
                + ", sink lag "
                + lag
                + "; logs in "
                + dir.resolve("logs"));
      }
      Thread.sleep(500);
    }
  }

  private StreamStats stats() {
    // The harness's own reads (stats, end offsets) as the admin, who may read every topic.
    return StreamStats.read(servers.client(KafkaSecurity.ADMIN), topics.stats().name());
  }

  private List<String> sinkTopics() {
    List<String> t = new ArrayList<>(topics.events().stream().map(Topic::name).toList());
    t.add(topics.rollups().name());
    t.add(topics.alerts().name());
    t.add(topics.deadLetters().name());
    return t;
  }

  /** I4: read-committed end offsets minus the next offsets stored in sink_offsets, summed. */
  long lag() throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    Map<TopicPartition, Long> ends = new HashMap<>();
    try (Admin admin = Admin.create(servers.client(KafkaSecurity.ADMIN))) {
      for (var e :
          admin.describeTopics(sinkTopics()).allTopicNames().get(30, TimeUnit.SECONDS).entrySet()) {
        e.getValue()
            .partitions()
            .forEach(
                p ->
                    latest.put(new TopicPartition(e.getKey(), p.partition()), OffsetSpec.latest()));
      }
      admin
          .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
          .all()
          .get(30, TimeUnit.SECONDS)
          .forEach((tp, info) -> ends.put(tp, info.offset()));
    }
    Map<TopicPartition, Long> stored = new HashMap<>();
    try (Connection c = connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT topic, partition, next_offset FROM sink_offsets WHERE topic = ANY (?)")) {
      ps.setArray(1, c.createArrayOf("text", sinkTopics().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          stored.merge(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3), Math::max);
        }
      }
    }
    long lag = 0;
    for (var e : ends.entrySet()) {
      lag += e.getValue() - Math.max(0, stored.getOrDefault(e.getKey(), 0L));
    }
    return lag;
  }

  Connection connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("password", servers.superuserPassword());
    return DriverManager.getConnection(servers.jdbcUrl(), p);
  }

  /** Scenario 9: holds an exclusive lock on a rollup table for {@code duration}. */
  void lockTable(String table, Duration duration) throws SQLException, InterruptedException {
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
        Thread.sleep(duration.toMillis());
      }
      c.rollback();
    }
  }

  /** The invariants, checked once caught up, and the figures of the report. */
  Report check(String scenario, String command, Duration catchUp, List<String> notes)
      throws Exception {
    LedgerCheck ledger = LedgerCheck.read(ledgers, resent);
    StreamStats stats = stats();
    PipelineTotals pg =
        PipelineTotals.connect(servers.jdbcUrl(), "postgres", servers.superuserPassword());
    PipelineTotals.Totals totals = pg.totals(topics.events().stream().map(Topic::name).toList());
    List<LedgerCheck.Mismatch> mismatches = ledger.compare(pg.rollups());
    long lost = 0;
    long extra = 0;
    for (LedgerCheck.Mismatch m : mismatches) {
      long want = m.expected().getOrDefault("event_count", 0L);
      long got = m.actual() == null ? 0 : m.actual().getOrDefault("event_count", 0L);
      lost += Math.max(0, want - got);
      extra += Math.max(0, got - want);
    }
    long duplicateAlerts;
    long deadWithoutReason;
    String durability;
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery(
              "SELECT count(*) - count(DISTINCT (rule, organization_id, entity_type, entity_key,"
                  + " window_start, state)) FROM alerts")) {
        rs.next();
        duplicateAlerts = rs.getLong(1);
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT count(*) FROM dead_letters WHERE coalesce(reason_code, '') = ''")) {
        rs.next();
        deadWithoutReason = rs.getLong(1);
      }
      // What the crashes above were survived with: the server's own durability settings.
      try (ResultSet rs =
          s.executeQuery(
              "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings"
                  + " WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes',"
                  + " 'wal_writer_delay')")) {
        rs.next();
        durability = "PostgreSQL ran with " + rs.getString(1);
      }
    }
    long sent;
    long failed;
    synchronized (loads) {
      sent = loads.stream().mapToLong(LoadSummary::sent).sum();
      failed = loads.stream().mapToLong(LoadSummary::failed).sum();
    }
    Map<String, Long> peaks = new LinkedHashMap<>(servers.peaks());
    List<String> all = new ArrayList<>(notes);
    all.add(durability);
    if (!sinkSettings.isEmpty()) {
      all.add("sinks ran with " + sinkSettings);
    }
    SinkLogs.Lost lostCommits = SinkLogs.lostCommits(sinks.stream().map(Proc::log).toList());
    if (lostCommits.reseeks() > 0 || sinkSettings.containsKey(SINK_SYNCHRONOUS_COMMIT)) {
      all.add(lostCommits.describe());
    }
    for (Proc p : all()) {
      peaks.put(p.name, p.peakRss());
      if (p.unexpectedExits > 0) {
        all.add(p.name + " ended on its own " + p.unexpectedExits + " time(s) (restarted)");
      }
    }
    return new Report(
        scenario,
        command,
        sent,
        failed,
        ledger.sent().acknowledged(),
        ledger.sent().byInjection(),
        totals.counted(),
        totals.deadLettered(),
        stats.duplicatesSuppressed(),
        totals.lateCorrected(),
        stats.rerouted(),
        lost,
        extra,
        mismatches.size(),
        mismatches.isEmpty() ? "" : mismatches.get(0).toString(),
        lag(),
        duplicateAlerts,
        deadWithoutReason,
        List.copyOf(faults),
        catchUp,
        peaks,
        all);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    watcher.interrupt();
    for (Proc p : all()) {
      try {
        if (p.alive()) {
          p.resume();
          p.stop();
        }
      } catch (IOException | InterruptedException e) {
        out.println("  cannot stop " + p.name + ": " + e);
      }
    }
    servers.close();
  }
}
