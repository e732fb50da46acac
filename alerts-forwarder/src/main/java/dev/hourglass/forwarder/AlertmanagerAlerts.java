package dev.hourglass.forwarder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hourglass.contract.Family;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import java.time.Instant;
import java.util.Collection;
import java.util.Locale;

/**
 * Hourglass alerts as Alertmanager's v2 API takes them ({@code POST /api/v2/alerts}, a JSON array
 * of {@code labels}, {@code annotations}, {@code startsAt}, {@code endsAt}).
 *
 * <p>Alertmanager tells alerts apart by their labels, and a FIRING and its RESOLVED must name the
 * same one: the labels are the rule ({@code alertname}), severity, family, entity type and key,
 * organization and the hour ({@code window_start}), each hour of a key being an alert of its own in
 * Hourglass. Everything else is an annotation. A FIRING alert ends {@code 4 × resend interval}
 * after it is sent (as Prometheus does), so Alertmanager keeps it active while it is resent and
 * lets it expire only if the forwarder stays away; RESOLVED sends {@code endsAt} = resolved_at.
 */
final class AlertmanagerAlerts {
  static final ObjectMapper JSON = new ObjectMapper();

  private AlertmanagerAlerts() {}

  /** The request body for {@code alerts}, sent at {@code now}. */
  static byte[] body(Collection<Alert> alerts, Instant now, long resendIntervalMs) {
    ArrayNode array = JSON.createArrayNode();
    for (Alert a : alerts) {
      array.add(alert(a, now, resendIntervalMs));
    }
    try {
      return JSON.writeValueAsBytes(array);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write alerts as JSON", e);
    }
  }

  static ObjectNode alert(Alert a, Instant now, long resendIntervalMs) {
    ObjectNode n = JSON.createObjectNode();
    ObjectNode labels = n.putObject("labels");
    labels.put("alertname", a.getRule());
    labels.put("severity", a.getSeverity().name().toLowerCase(Locale.ROOT));
    labels.put("family", family(a.getEntityType()));
    labels.put("entity_type", a.getEntityType());
    labels.put("entity_key", a.getEntityKey());
    labels.put("organization_id", a.getOrganizationId());
    labels.put("window_start", a.getWindowStart().toString());
    ObjectNode annotations = n.putObject("annotations");
    annotations.put("summary", a.getMessage());
    annotations.put("observed_value", Double.toString(a.getObservedValue()));
    annotations.put("threshold", Double.toString(a.getThreshold()));
    annotations.put("window_end", a.getWindowEnd().toString());
    annotations.put("alert_id", a.getAlertId());
    if (a.getCorrectionLateMs() != null) {
      annotations.put("correction_late_ms", Long.toString(a.getCorrectionLateMs()));
    }
    n.put("startsAt", a.getFiredAt().toString());
    Instant ends =
        a.getState() == AlertState.RESOLVED && a.getResolvedAt() != null
            ? a.getResolvedAt()
            : now.plusMillis(4 * resendIntervalMs);
    n.put("endsAt", ends.toString());
    return n;
  }

  /** The family whose alerts carry {@code entityType}, or the entity type itself if none does. */
  private static String family(String entityType) {
    for (Family f : Family.values()) {
      if (f.entityType().equals(entityType)) {
        return f.id();
      }
    }
    return entityType;
  }
}
