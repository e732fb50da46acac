package dev.hourglass.schema;

import java.sql.Connection;
import java.sql.SQLException;

/** A small hand-built data set: two organizations with users, projects, agents and tasks. */
final class Fixtures {
  static final String ORG_A = "00000000-0000-0000-0000-00000000000a";
  static final String ORG_B = "00000000-0000-0000-0000-00000000000b";
  static final String ADA = "00000000-0000-0000-0000-0000000000d1";
  static final String BOB = "00000000-0000-0000-0000-0000000000d2";
  static final String PROJECT_A1 = "00000000-0000-0000-0000-0000000000a1";
  static final String PROJECT_A2 = "00000000-0000-0000-0000-0000000000a2";
  static final String PROJECT_B1 = "00000000-0000-0000-0000-0000000000b1";
  static final String ALPHA = "00000000-0000-0000-0000-0000000000c1";
  static final String BETA = "00000000-0000-0000-0000-0000000000c2";
  static final String GAMMA_INACTIVE = "00000000-0000-0000-0000-0000000000c3";
  static final String UNREGISTERED = "00000000-0000-0000-0000-0000000000c4";
  static final String AGENT_B = "00000000-0000-0000-0000-0000000000c5";

  private Fixtures() {}

  /** Organizations A and B, a user and projects in each, agents alpha, beta, gamma (inactive). */
  static void tenants(Connection c) throws SQLException {
    Sql.exec(
        c,
        "INSERT INTO organizations (id, name) VALUES ('"
            + ORG_A
            + "', 'A'), ('"
            + ORG_B
            + "', 'B')",
        "INSERT INTO users (id, organization_id, name, email) VALUES ('"
            + ADA
            + "', '"
            + ORG_A
            + "', 'Ada', 'ada@a.test'), ('"
            + BOB
            + "', '"
            + ORG_B
            + "', 'Bob', 'bob@b.test')",
        "INSERT INTO projects (id, organization_id, name) VALUES ('"
            + PROJECT_A1
            + "', '"
            + ORG_A
            + "', 'a1'), ('"
            + PROJECT_A2
            + "', '"
            + ORG_A
            + "', 'a2'), ('"
            + PROJECT_B1
            + "', '"
            + ORG_B
            + "', 'b1')",
        "INSERT INTO codegen_agents (id, organization_id, name, agent_type, is_active) VALUES"
            + " ('"
            + ALPHA
            + "', '"
            + ORG_A
            + "', 'alpha', 'codegen', true),"
            + " ('"
            + BETA
            + "', '"
            + ORG_A
            + "', 'beta', 'review', true),"
            + " ('"
            + GAMMA_INACTIVE
            + "', '"
            + ORG_A
            + "', 'gamma', 'test', false),"
            + " ('"
            + AGENT_B
            + "', '"
            + ORG_B
            + "', 'other', 'codegen', true)");
  }

  /** The start of the UTC hour {@code hoursAgo} hours before the current one, as SQL. */
  static String hour(int hoursAgo) {
    return "(date_trunc('hour', now()) - interval '" + hoursAgo + " hours')";
  }

  /** {@code hourOfDay}:00 UTC on the UTC day {@code daysAgo} days before today, as SQL. */
  static String dayHour(int daysAgo, int hourOfDay) {
    return "(((now() AT TIME ZONE 'UTC')::date - "
        + daysAgo
        + ")::timestamp AT TIME ZONE 'UTC' + interval '"
        + hourOfDay
        + " hours')";
  }
}
