package dev.hourglass.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hourglass.contract.AlertIds;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import dev.hourglass.rollups.Severity;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code check_alerts} job: {@code check_performance_alerts()} findings become alerts of entity
 * type {@code database}, with the lifecycle of the processor's alerts. A finding of type {@code t}
 * is the rule {@code database_t} (for example {@code database_cache_hit_ratio}); its key is the nil
 * organization and the database's name; its hour is the UTC hour of the check that first found it.
 * FIRING once per episode (at most one per rule, key and hour); RESOLVED when a check in a later
 * hour no longer finds it, for the hour that fired, carrying the value that fired. Each alert goes
 * to the alerts topic first (the sink then writes it like any other), then into {@code alerts} at
 * once, which is also the state: a crash between the two publishes the same alert again, with the
 * same deterministic {@code alert_id}, and the table keeps it once.
 */
final class DatabaseAlerts {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseAlerts.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Database alerts belong to no organization. */
  static final String NO_ORGANIZATION = "00000000-0000-0000-0000-000000000000";

  static final String ENTITY_TYPE = "database";
  private static final long HOUR_MS = 3_600_000L;

  /** Publishes one alert on the alerts topic and returns once the broker has acknowledged it. */
  @FunctionalInterface
  interface Publisher {
    void publish(String key, Alert alert) throws Exception;
  }

  private record Fired(
      Instant windowStart, double observed, double threshold, Instant firedAt, Severity severity) {}

  private final MaintenanceConfig config;
  private final Publisher publisher;

  DatabaseAlerts(MaintenanceConfig config, Publisher publisher) {
    this.config = config;
    this.publisher = publisher;
  }

  String check(Connection c, Instant now) throws SQLException {
    String database;
    int maxConnections;
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT current_database(), current_setting('max_connections')::int");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      database = rs.getString(1);
      maxConnections = rs.getInt(2);
    }
    Map<String, JsonNode> findings = findings(c);
    Map<String, Fired> firing = firing(c, database);
    Instant hour = now.truncatedTo(ChronoUnit.HOURS);
    List<Alert> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> f : findings.entrySet()) {
      if (!firing.containsKey(f.getKey())) {
        out.add(firingAlert(f.getKey(), f.getValue(), database, hour, now, maxConnections));
      }
    }
    for (Map.Entry<String, Fired> f : firing.entrySet()) {
      if (!findings.containsKey(f.getKey()) && f.getValue().windowStart().isBefore(hour)) {
        out.add(resolvedAlert(f.getKey(), f.getValue(), database, now));
      }
    }
    for (Alert a : out) {
      String key = a.getRule() + "|" + a.getOrganizationId() + "|" + a.getEntityKey();
      try {
        publisher.publish(key, a);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while publishing " + a.getRule(), e);
      } catch (Exception e) {
        throw new IllegalStateException(
            "cannot publish " + a.getState() + " " + a.getRule() + " on the alerts topic: " + e, e);
      }
      insert(c, a);
      LOG.info("Database alert {}: {}", a.getState(), a.getMessage());
    }
    return findings.size()
        + " finding(s) "
        + findings.keySet()
        + "; "
        + out.stream().filter(a -> a.getState() == AlertState.FIRING).count()
        + " fired, "
        + out.stream().filter(a -> a.getState() == AlertState.RESOLVED).count()
        + " resolved";
  }

  /** Rule name to finding, from {@code check_performance_alerts} with the configured thresholds. */
  private Map<String, JsonNode> findings(Connection c) throws SQLException {
    String text;
    try (PreparedStatement ps =
        c.prepareStatement("SELECT check_performance_alerts(?, ?, ?, ?)::text")) {
      ps.setBigDecimal(1, BigDecimal.valueOf(config.minCacheHitPercent()));
      ps.setBigDecimal(2, BigDecimal.valueOf(config.maxConnectionPercent(), 2));
      ps.setDouble(3, config.slowQuery().toMillis());
      ps.setInt(4, config.maxSlowQueries());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        text = rs.getString(1);
      }
    }
    Map<String, JsonNode> m = new LinkedHashMap<>();
    try {
      for (JsonNode a : JSON.readTree(text).path("alerts")) {
        m.put("database_" + a.path("type").asText(), a);
      }
    } catch (IOException e) {
      throw new IllegalStateException("check_performance_alerts returned no JSON: " + text, e);
    }
    return m;
  }

  /** The database's FIRING alerts without a RESOLVED of the same hour, by rule. */
  private static Map<String, Fired> firing(Connection c, String database) throws SQLException {
    Map<String, Fired> m = new LinkedHashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT f.rule, f.window_start, f.observed_value, f.threshold, f.fired_at, f.severity"
                + " FROM alerts f"
                + " WHERE f.entity_type = ? AND f.entity_key = ? AND f.state = 'FIRING'"
                + " AND NOT EXISTS (SELECT 1 FROM alerts r WHERE r.rule = f.rule"
                + " AND r.organization_id = f.organization_id AND r.entity_type = f.entity_type"
                + " AND r.entity_key = f.entity_key AND r.window_start = f.window_start"
                + " AND r.state = 'RESOLVED') ORDER BY f.window_start")) {
      ps.setString(1, ENTITY_TYPE);
      ps.setString(2, database);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          m.putIfAbsent(
              rs.getString(1),
              new Fired(
                  rs.getTimestamp(2).toInstant(),
                  rs.getDouble(3),
                  rs.getDouble(4),
                  rs.getTimestamp(5).toInstant(),
                  Severity.valueOf(rs.getString(6))));
        }
      }
    }
    return m;
  }

  private Alert firingAlert(
      String rule, JsonNode f, String database, Instant hour, Instant now, int maxConnections) {
    double threshold =
        switch (rule) {
          case "database_cache_hit_ratio" -> config.minCacheHitPercent();
          case "database_high_connection_usage" ->
              maxConnections * config.maxConnectionPercent() / 100.0;
          case "database_slow_queries" -> config.maxSlowQueries();
          default -> 0;
        };
    return builder(rule, database, hour, AlertState.FIRING)
        .setSeverity(severity(f.path("severity").asText()))
        .setObservedValue(f.path("value").asDouble())
        .setThreshold(threshold)
        .setFiredAt(now)
        .setResolvedAt(null)
        .setMessage(rule + ": " + f.path("message").asText() + " in database " + database)
        .build();
  }

  private Alert resolvedAlert(String rule, Fired f, String database, Instant now) {
    return builder(rule, database, f.windowStart(), AlertState.RESOLVED)
        .setSeverity(f.severity())
        .setObservedValue(f.observed())
        .setThreshold(f.threshold())
        .setFiredAt(f.firedAt())
        .setResolvedAt(now)
        .setMessage(
            rule
                + ": check_performance_alerts no longer reports it in database "
                + database
                + " (fired for the hour from "
                + f.windowStart()
                + " at "
                + f.firedAt()
                + ")")
        .build();
  }

  private static Alert.Builder builder(
      String rule, String database, Instant windowStart, AlertState state) {
    return Alert.newBuilder()
        .setAlertId(AlertIds.of(rule, NO_ORGANIZATION, database, windowStart.toEpochMilli(), state))
        .setRule(rule)
        .setState(state)
        .setOrganizationId(NO_ORGANIZATION)
        .setEntityType(ENTITY_TYPE)
        .setEntityKey(database)
        .setWindowStart(windowStart)
        .setWindowEnd(windowStart.plusMillis(HOUR_MS));
  }

  private static Severity severity(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "critical" -> Severity.CRITICAL;
      case "warning" -> Severity.WARNING;
      default -> Severity.INFO;
    };
  }

  private static void insert(Connection c, Alert a) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO alerts (alert_id, rule, severity, state, organization_id, entity_type,"
                + " entity_key, window_start, window_end, observed_value, threshold, fired_at,"
                + " resolved_at, message) VALUES (?::uuid, ?, ?, ?, ?::uuid, ?, ?, ?, ?, ?, ?, ?,"
                + " ?, ?) ON CONFLICT DO NOTHING")) {
      ps.setString(1, a.getAlertId());
      ps.setString(2, a.getRule());
      ps.setString(3, a.getSeverity().name());
      ps.setString(4, a.getState().name());
      ps.setString(5, a.getOrganizationId());
      ps.setString(6, a.getEntityType());
      ps.setString(7, a.getEntityKey());
      ps.setTimestamp(8, Timestamp.from(a.getWindowStart()));
      ps.setTimestamp(9, Timestamp.from(a.getWindowEnd()));
      ps.setDouble(10, a.getObservedValue());
      ps.setDouble(11, a.getThreshold());
      ps.setTimestamp(12, Timestamp.from(a.getFiredAt()));
      ps.setTimestamp(13, a.getResolvedAt() == null ? null : Timestamp.from(a.getResolvedAt()));
      ps.setString(14, a.getMessage());
      ps.executeUpdate();
    }
  }
}
