package dev.hourglass.cli;

import dev.hourglass.rollups.Alert;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** One human-readable line per alert. */
final class AlertLine {
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  private AlertLine() {}

  static String of(Alert a) {
    return String.format(
        "%-8s %-8s %-24s org=%s %s=%s hour=%sZ observed=%s threshold=%s  %s",
        a.getState(),
        a.getSeverity(),
        a.getRule(),
        a.getOrganizationId(),
        a.getEntityType(),
        a.getEntityKey(),
        HOUR.format(a.getWindowStart()),
        trim(a.getObservedValue()),
        trim(a.getThreshold()),
        a.getMessage());
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format("%.4g", v);
  }
}
