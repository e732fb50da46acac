package dev.hourglass.cli;

import dev.hourglass.contract.Topic;
import dev.hourglass.contract.Topics;
import dev.hourglass.embedded.EmbeddedPostgres;
import dev.hourglass.schema.PhysicalBackup;
import dev.hourglass.schema.PipelineTotals;
import dev.hourglass.schema.RestoredDatabase;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * docs/backup.md's regular recovery test, run as a command: the backup restored into a scratch
 * directory (with the archived WAL up to a target time when given), PostgreSQL started there on a
 * free port with the archive left alone, and the procedure's checks: recovery finished, the schema
 * and the books readable, every stored offset still inside its topic (not older than the retention)
 * and not ahead of the live database's. Then the server is stopped and the scratch directory
 * removed. Each step's time is reported: the recovery time operators can promise.
 *
 * @param backup the backup directory ({@code hourglass backup --to})
 * @param recovery the WAL archive and target time, or null for the backup alone
 * @param superuserPassword the backed-up server's superuser password (roles are in the backup)
 * @param scratch an absent or empty directory for the restored server
 * @param kafka a Kafka client (brokers and login) for the retention check, or null
 * @param live the live database (url, user, password) for the offsets' comparison, or null
 * @param topics the pipeline's topics (their prefix), for the books
 */
record RecoveryTest(
    Path backup,
    PhysicalBackup.Recovery recovery,
    String superuserPassword,
    Path scratch,
    Map<String, Object> kafka,
    Database live,
    Topics topics) {
  private static final Duration RECOVERY_WITHIN = Duration.ofMinutes(10);

  /** A database login. */
  record Database(String url, String user, String password) {}

  /** What the test found: each check's verdict and each step's time. */
  record Result(List<String> passed, List<String> failed, Map<String, Duration> steps) {
    boolean ok() {
      return failed.isEmpty();
    }
  }

  /** One stored offset of the restored database. */
  private record Stored(String group, TopicPartition partition, long next) {}

  Result run(PrintStream out, boolean keep) throws Exception {
    List<String> passed = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    Map<String, Duration> steps = new java.util.LinkedHashMap<>();
    long t = System.nanoTime();
    Path pgdata = scratch.resolve("pgdata");
    PhysicalBackup.restore(backup, pgdata, recovery);
    // The embedded server logs in as the superuser with the password of this file.
    Files.writeString(
        Files.createFile(
            scratch.resolve("superuser.password"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
        superuserPassword);
    steps.put("restore", Duration.ofNanos(System.nanoTime() - t));
    out.println("Restored " + backup + " into " + pgdata);
    t = System.nanoTime();
    // Default settings: the scratch server archives nothing, least of all into the live archive.
    EmbeddedPostgres pg = EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(scratch, 0));
    try {
      Database restored =
          new Database(
              pg.jdbcUrl(LocalCommand.DATABASE), EmbeddedPostgres.SUPERUSER, superuserPassword);
      database(restored).awaitRecovered(RECOVERY_WITHIN);
      steps.put("start and recover", Duration.ofNanos(System.nanoTime() - t));
      out.println("PostgreSQL started on the restored data (port " + pg.port() + "), recovered");
      passed.add("recovery finished: pg_is_in_recovery() is false");
      t = System.nanoTime();
      check(restored, out, passed, failed);
      steps.put("checks", Duration.ofNanos(System.nanoTime() - t));
    } finally {
      pg.close();
      if (!keep) {
        delete(scratch);
      }
    }
    return new Result(List.copyOf(passed), List.copyOf(failed), steps);
  }

  private void check(Database restored, PrintStream out, List<String> passed, List<String> failed)
      throws Exception {
    RestoredDatabase.Migrations m = database(restored).migrations();
    if (m.failed() == 0 && m.lastVersion() != null) {
      passed.add("schema at migration V" + m.lastVersion() + ", no failed migration");
    } else {
      failed.add("schema: " + m.failed() + " failed migration(s), last V" + m.lastVersion());
    }
    PipelineTotals.Totals books =
        PipelineTotals.connect(restored.url(), restored.user(), restored.password())
            .totals(topics.events().stream().map(Topic::name).toList());
    passed.add(
        "books readable: "
            + books.rollupRows()
            + " rollup rows counting "
            + books.counted()
            + " events, "
            + books.deadLettered()
            + " dead letters");
    List<Stored> stored = offsets(restored);
    if (stored.isEmpty()) {
      failed.add("sink_offsets is empty: the sink would replay every topic from its start");
      return;
    }
    passed.add("sink_offsets: " + stored.size() + " stored offsets");
    if (kafka != null) {
      checkRetention(stored, passed, failed);
    } else {
      out.println("No bootstrap.servers: the offsets were not checked against Kafka's retention");
    }
    if (live != null) {
      checkBehindLive(stored, offsets(live), passed, failed);
    } else {
      out.println("No jdbc.url: the offsets were not compared with the live database's");
    }
  }

  /** Every stored offset between its partition's log start and end: replay can resume there. */
  private void checkRetention(List<Stored> stored, List<String> passed, List<String> failed)
      throws Exception {
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    stored.forEach(
        o -> {
          earliest.put(o.partition(), OffsetSpec.earliest());
          latest.put(o.partition(), OffsetSpec.latest());
        });
    Map<TopicPartition, Long> start = new HashMap<>();
    Map<TopicPartition, Long> end = new HashMap<>();
    try (Admin admin = Admin.create(kafka)) {
      admin
          .listOffsets(earliest)
          .all()
          .get(60, TimeUnit.SECONDS)
          .forEach((tp, i) -> start.put(tp, i.offset()));
      admin
          .listOffsets(latest)
          .all()
          .get(60, TimeUnit.SECONDS)
          .forEach((tp, i) -> end.put(tp, i.offset()));
    }
    int bad = 0;
    for (Stored o : stored) {
      long from = start.get(o.partition());
      long to = end.get(o.partition());
      if (o.next() < from) {
        bad++;
        failed.add(
            o.partition()
                + ": stored offset "
                + o.next()
                + " is before the log start "
                + from
                + ": the backup is older than the topic's retention, records are gone");
      } else if (o.next() > to) {
        bad++;
        failed.add(
            o.partition()
                + ": stored offset "
                + o.next()
                + " is past the end offset "
                + to
                + " (another cluster, or the topic was recreated)");
      }
    }
    if (bad == 0) {
      passed.add(
          "every stored offset within its partition's log (start <= offset <= end): the sink can"
              + " replay the rest from Kafka");
    }
  }

  /** The restored database must not be ahead of the live one it was taken from. */
  private static void checkBehindLive(
      List<Stored> stored, List<Stored> live, List<String> passed, List<String> failed) {
    Map<String, Long> now = new HashMap<>();
    live.forEach(o -> now.put(o.group() + " " + o.partition(), o.next()));
    int bad = 0;
    for (Stored o : stored) {
      Long l = now.get(o.group() + " " + o.partition());
      if (l == null || o.next() > l) {
        bad++;
        failed.add(
            o.group()
                + " "
                + o.partition()
                + ": restored offset "
                + o.next()
                + (l == null ? " has no live counterpart" : " is ahead of the live " + l));
      }
    }
    if (bad == 0) {
      passed.add("every restored offset at or below the live database's");
    }
  }

  private static List<Stored> offsets(Database db) {
    return database(db).offsets().stream()
        .map(o -> new Stored(o.group(), new TopicPartition(o.topic(), o.partition()), o.next()))
        .toList();
  }

  private static RestoredDatabase database(Database db) {
    return new RestoredDatabase(db.url(), db.user(), db.password());
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
