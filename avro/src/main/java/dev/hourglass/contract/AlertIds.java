package dev.hourglass.contract;

import dev.hourglass.rollups.AlertState;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The deterministic {@code alert_id} every writer of the alerts topic uses: a name-based UUID (v3)
 * of {@code <rule>|<organization_id>|<entity_key>|<window_start epoch ms>|<state>}, so a replay
 * names the same alert and the {@code alerts} table keeps it once (docs/contracts.md).
 */
public final class AlertIds {
  private AlertIds() {}

  public static String of(
      String rule,
      String organizationId,
      String entityKey,
      long windowStartMillis,
      AlertState state) {
    String name =
        rule + "|" + organizationId + "|" + entityKey + "|" + windowStartMillis + "|" + state;
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
