package dev.hourglass.sink;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/** Sorts database errors into what the sink retries, dead-letters, or stops on. */
final class SqlErrors {
  enum Kind {
    /** The database is away, busy or lost a race: retry the same batch later, never dead-letter. */
    TRANSIENT,
    /** One record's values cannot be stored: isolate it, dead-letter it, write the rest. */
    DATA,
    /** Wrong schema, missing privilege, bug: retrying will not help; stop with the error. */
    FATAL
  }

  private SqlErrors() {}

  static Kind classify(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SQLException e && e.getSQLState() != null) {
        return byState(e.getSQLState(), e.getMessage());
      }
      // Kafka's own retriable errors (a broker away while the log start offsets are listed).
      if (t instanceof org.apache.kafka.common.errors.RetriableException) {
        return Kind.TRANSIENT;
      }
      if (t instanceof SQLTransientException
          || t instanceof SQLRecoverableException
          || t instanceof IOException) {
        return Kind.TRANSIENT;
      }
    }
    return Kind.FATAL;
  }

  static Kind byState(String state, String message) {
    if (state.startsWith("08") // connection exception
        || state.startsWith("53") // insufficient resources
        || state.equals("40001") // serialization failure
        || state.equals("40P01") // deadlock
        || state.equals("55P03") // lock not available: lock_timeout while another holds it
        || state.equals("25P03") // idle_in_transaction_session_timeout ended the session
        || state.equals("57014") // statement timeout or cancel
        || state.startsWith("57P") // admin or crash shutdown, cannot connect now
        || state.equals("58030")) { // I/O error on the server
      return Kind.TRANSIENT;
    }
    if (state.equals("23514") && message != null && message.contains("no partition of relation")) {
      // A month partition missing (dropped after it was cached): re-created on the retry.
      return Kind.TRANSIENT;
    }
    if (state.equals("42P07")) {
      // "already exists": the only DDL the sink runs is create_monthly_partition, so another
      // session created the same month partition at the same moment; the retry finds it.
      return Kind.TRANSIENT;
    }
    if (state.startsWith("23") || state.startsWith("22")) {
      return Kind.DATA;
    }
    return Kind.FATAL;
  }

  /** The dead-letter reason code for a data error. */
  static String reasonCode(SQLException e) {
    String state = e.getSQLState();
    return state != null && state.startsWith("23") ? "CONSTRAINT_VIOLATION" : "DATA_ERROR";
  }

  /** The message a dead letter carries: the server's words, with the constraint when known. */
  static String describe(SQLException e) {
    String constraint = null;
    if (e instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null) {
      constraint = p.getServerErrorMessage().getConstraint();
    }
    String text = e.getSQLState() + " " + e.getMessage();
    if (constraint != null && !text.contains(constraint)) {
      text = text + " (constraint " + constraint + ")";
    }
    return text.replace('\u0000', ' ');
  }
}
