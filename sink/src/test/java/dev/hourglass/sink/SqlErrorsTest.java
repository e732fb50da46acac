package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class SqlErrorsTest {

  @Test
  void shouldRetryConnectionLossTimeoutsSerializationFailuresAndDeadlocks() {
    for (String state :
        new String[] {"08006", "08001", "57P01", "53300", "40001", "40P01", "57014"}) {
      assertThat(SqlErrors.classify(new SQLException("x", state)))
          .as(state)
          .isEqualTo(SqlErrors.Kind.TRANSIENT);
    }
    assertThat(SqlErrors.classify(new SQLTransientConnectionException("pool timed out")))
        .isEqualTo(SqlErrors.Kind.TRANSIENT);
    assertThat(SqlErrors.classify(new RuntimeException(new IOException("reset"))))
        .isEqualTo(SqlErrors.Kind.TRANSIENT);
  }

  @Test
  void shouldRetryAMissingMonthPartitionButDeadLetterAFailedCheck() {
    assertThat(
            SqlErrors.classify(
                new SQLException(
                    "ERROR: no partition of relation \"task_rollups_hourly\" found for row",
                    "23514")))
        .isEqualTo(SqlErrors.Kind.TRANSIENT);
    SQLException check =
        new SQLException("new row violates check constraint \"x_non_negative\"", "23514");
    assertThat(SqlErrors.classify(check)).isEqualTo(SqlErrors.Kind.DATA);
    assertThat(SqlErrors.reasonCode(check)).isEqualTo("CONSTRAINT_VIOLATION");
  }

  @Test
  void shouldRetryAPartitionAnotherSinkCreatedAtTheSameMoment() {
    SQLException race =
        new SQLException("relation \"integration_events_p202711\" already exists", "42P07");

    assertThat(SqlErrors.classify(race)).isEqualTo(SqlErrors.Kind.TRANSIENT);
  }

  @Test
  void shouldRetryALockTimeoutAndASessionEndedIdleInTransaction() {
    assertThat(SqlErrors.classify(new SQLException("canceling statement: lock timeout", "55P03")))
        .isEqualTo(SqlErrors.Kind.TRANSIENT);
    assertThat(
            SqlErrors.classify(
                new SQLException(
                    "terminating connection due to idle-in-transaction timeout", "25P03")))
        .isEqualTo(SqlErrors.Kind.TRANSIENT);
  }

  @Test
  void shouldDeadLetterDataExceptionsAsDataErrors() {
    SQLException bad = new SQLException("invalid input syntax for type uuid", "22P02");

    assertThat(SqlErrors.classify(bad)).isEqualTo(SqlErrors.Kind.DATA);
    assertThat(SqlErrors.reasonCode(bad)).isEqualTo("DATA_ERROR");
  }

  @Test
  void shouldStopOnMissingPrivilegesAndUnknownTables() {
    assertThat(SqlErrors.classify(new SQLException("permission denied", "42501")))
        .isEqualTo(SqlErrors.Kind.FATAL);
    assertThat(SqlErrors.classify(new SQLException("relation does not exist", "42P01")))
        .isEqualTo(SqlErrors.Kind.FATAL);
  }
}
