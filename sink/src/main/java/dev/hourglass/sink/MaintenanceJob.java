package dev.hourglass.sink;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * One scheduled maintenance job.
 *
 * @param name its row in {@code maintenance_jobs} and its {@code job} label
 * @param interval how long after a run starts the next one is due; zero turns the job off
 * @param action what it does on the elected instance's connection
 */
record MaintenanceJob(String name, Duration interval, Action action) {

  /** The work of one run; returns one line saying what it did, for the table and the log. */
  @FunctionalInterface
  interface Action {
    String run(Connection c, Instant now) throws SQLException;
  }

  boolean enabled() {
    return !interval.isZero();
  }
}
