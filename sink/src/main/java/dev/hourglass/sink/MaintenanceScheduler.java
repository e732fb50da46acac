package dev.hourglass.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the maintenance jobs on exactly one instance per database, however many sinks are up. Every
 * check interval each instance tries {@code pg_try_advisory_lock} on a connection of its own (never
 * one of the sink's pool, so the exactly-once writes never wait for maintenance); the one that gets
 * it keeps that session, and with it the lock, and runs every due job on it, one after another. A
 * job only runs while the session that holds the lock is alive: when the connection breaks the lock
 * goes with it, and another instance takes over at its next check. A job is due when its interval
 * has passed since its last start recorded in {@code maintenance_jobs}, whoever ran it.
 *
 * <p>A failed job is logged at WARN, recorded with its error and counted; it never stops the sink.
 * Every statement runs under the maintenance statement and lock timeouts.
 */
final class MaintenanceScheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MaintenanceScheduler.class);

  /** The advisory lock of the election, one per database: "hourglas" in ASCII. */
  static final long LOCK_KEY = 0x686f7572676c6173L;

  /** Opens a new connection with the maintenance timeouts set. */
  @FunctionalInterface
  interface Connector {
    Connection connect() throws SQLException;
  }

  private static final String RECORD =
      "INSERT INTO maintenance_jobs AS j (job, last_started_at, last_finished_at,"
          + " last_duration_ms, last_outcome, last_detail, last_instance, last_success_at, runs,"
          + " failures) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (job) DO UPDATE SET"
          + " last_started_at = excluded.last_started_at, last_finished_at ="
          + " excluded.last_finished_at, last_duration_ms = excluded.last_duration_ms,"
          + " last_outcome = excluded.last_outcome, last_detail = excluded.last_detail,"
          + " last_instance = excluded.last_instance, last_success_at ="
          + " coalesce(excluded.last_success_at, j.last_success_at), runs = j.runs + 1,"
          + " failures = j.failures + excluded.failures";

  private final Connector connector;
  private final List<MaintenanceJob> jobs;
  private final Clock clock;
  private final String instance;
  private final Duration checkInterval;
  private final MaintenanceMetrics metrics;
  // Read by close() without the monitor, to abort a job that is running.
  private volatile Connection leader;
  private boolean reportedUnreachable;
  private ScheduledExecutorService executor;

  MaintenanceScheduler(
      Connector connector,
      List<MaintenanceJob> jobs,
      Duration checkInterval,
      Clock clock,
      String instance,
      MaintenanceMetrics metrics) {
    this.connector = connector;
    this.jobs = List.copyOf(jobs);
    this.checkInterval = checkInterval;
    this.clock = clock;
    this.instance = instance;
    this.metrics = metrics;
  }

  /** Checks every check interval, on a daemon thread of its own, until {@link #close()}. */
  synchronized void start() {
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "hourglass-maintenance");
              t.setDaemon(true);
              return t;
            });
    executor.scheduleWithFixedDelay(
        this::tickSafely, 0, checkInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      // A bug in a job must not end the schedule: the next check tries again.
      LOG.warn("Maintenance check failed unexpectedly: {}", e.toString(), e);
    }
  }

  /**
   * One check: takes or keeps the lock, then runs every job that is due.
   *
   * @return the names of the jobs this check ran, in order
   */
  synchronized List<String> tick() {
    if (!elected()) {
      return List.of();
    }
    Map<String, Instant> lastStarts;
    try {
      lastStarts = lastStarts();
    } catch (SQLException e) {
      LOG.warn("Cannot read maintenance_jobs: {}", SqlErrors.describe(e));
      resignIfBroken();
      return List.of();
    }
    List<String> ran = new ArrayList<>();
    for (MaintenanceJob job : jobs) {
      Instant last = lastStarts.get(job.name());
      Instant now = clock.instant();
      if (job.enabled() && (last == null || !now.isBefore(last.plus(job.interval())))) {
        run(job, now);
        ran.add(job.name());
        if (leader == null) {
          break;
        }
      }
    }
    return ran;
  }

  /** Whether this instance holds the lock (after trying to take it). */
  synchronized boolean elected() {
    if (leader != null) {
      if (valid(leader)) {
        return true;
      }
      LOG.warn(
          "Maintenance: the session holding the lock broke, so the lock is released; trying to"
              + " take it again");
      resign();
    }
    Connection c;
    try {
      c = connector.connect();
    } catch (SQLException e) {
      if (!reportedUnreachable) {
        LOG.warn(
            "Maintenance: cannot connect to PostgreSQL ({}); the sink goes on, maintenance waits",
            SqlErrors.describe(e));
        reportedUnreachable = true;
      }
      return false;
    }
    reportedUnreachable = false;
    boolean locked = false;
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
      ps.setLong(1, LOCK_KEY);
      try (ResultSet rs = ps.executeQuery()) {
        locked = rs.next() && rs.getBoolean(1);
      }
    } catch (SQLException e) {
      LOG.warn("Maintenance: cannot try the lock: {}", SqlErrors.describe(e));
    }
    if (!locked) {
      close(c);
      return false;
    }
    leader = c;
    metrics.leader(true);
    LOG.info(
        "Maintenance: this instance ({}) now runs the scheduled database maintenance (it holds"
            + " advisory lock {})",
        instance,
        LOCK_KEY);
    return true;
  }

  private Map<String, Instant> lastStarts() throws SQLException {
    Map<String, Instant> m = new HashMap<>();
    try (PreparedStatement ps =
            leader.prepareStatement("SELECT job, last_started_at FROM maintenance_jobs");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        Timestamp t = rs.getTimestamp(2);
        if (t != null) {
          m.put(rs.getString(1), t.toInstant());
        }
      }
    }
    return m;
  }

  private void run(MaintenanceJob job, Instant started) {
    long t0 = System.nanoTime();
    String detail;
    boolean succeeded;
    try {
      detail = job.action().run(leader, started);
      succeeded = true;
    } catch (SQLException e) {
      detail = SqlErrors.describe(e);
      succeeded = false;
    } catch (RuntimeException e) {
      detail = e.toString();
      succeeded = false;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    metrics.run(job.name(), started, took, succeeded);
    if (succeeded) {
      LOG.debug("Maintenance job {} succeeded in {} ms: {}", job.name(), took.toMillis(), detail);
    } else {
      LOG.warn(
          "Maintenance job {} failed after {} ms: {}; it runs again in {} s (see"
              + " maintenance_jobs)",
          job.name(),
          took.toMillis(),
          detail,
          job.interval().toSeconds());
    }
    record(job, started, took, succeeded, detail);
  }

  private void record(
      MaintenanceJob job, Instant started, Duration took, boolean succeeded, String detail) {
    try (PreparedStatement ps = leader.prepareStatement(RECORD)) {
      ps.setString(1, job.name());
      ps.setTimestamp(2, Timestamp.from(started));
      ps.setTimestamp(3, Timestamp.from(started.plus(took)));
      ps.setLong(4, took.toMillis());
      ps.setString(5, succeeded ? "succeeded" : "failed");
      ps.setString(6, detail);
      ps.setString(7, instance);
      ps.setTimestamp(8, succeeded ? Timestamp.from(started) : null);
      ps.setInt(9, succeeded ? 0 : 1);
      ps.executeUpdate();
    } catch (SQLException e) {
      LOG.warn(
          "Maintenance: cannot record the run of {} in maintenance_jobs: {}",
          job.name(),
          SqlErrors.describe(e));
      resignIfBroken();
    }
  }

  private void resignIfBroken() {
    if (leader != null && !valid(leader)) {
      LOG.warn("Maintenance: the session holding the lock broke; another instance may take over");
      resign();
    }
  }

  private void resign() {
    close(leader);
    leader = null;
    metrics.leader(false);
  }

  private static boolean valid(Connection c) {
    try {
      return c.isValid(5);
    } catch (SQLException e) {
      return false;
    }
  }

  private static void close(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      LOG.debug("Closing a maintenance connection: {}", e.toString());
    }
  }

  /**
   * Stops checking and releases the lock (closing its session, which also aborts a job that is
   * running), so another instance takes over at its next check.
   */
  @Override
  public void close() {
    ScheduledExecutorService e;
    synchronized (this) {
      e = executor;
      executor = null;
    }
    if (e != null) {
      e.shutdownNow();
    }
    Connection c = leader;
    if (c != null) {
      close(c);
    }
    if (e != null) {
      try {
        e.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      if (leader != null) {
        resign();
      }
    }
  }
}
