package dev.hourglass.admin;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@link TopicProvisioner#provision} found and did. A topic that already existed with other
 * settings is left as it is and listed in {@link #mismatched()} with every difference.
 *
 * @param created topics created by this call
 * @param unchanged topics that already existed with the expected settings
 * @param mismatched topics that already existed with other settings
 */
public record ProvisionResult(
    List<String> created, List<String> unchanged, List<TopicMismatch> mismatched) {

  public ProvisionResult {
    created = List.copyOf(created);
    unchanged = List.copyOf(unchanged);
    mismatched = List.copyOf(mismatched);
  }

  /** One setting of an existing topic that is not what the settings ask for. */
  public record Difference(String setting, String expected, String actual) {
    @Override
    public String toString() {
      return setting + " expected " + expected + ", actual " + actual;
    }
  }

  /** An existing topic and how it differs. */
  public record TopicMismatch(String topic, List<Difference> differences) {
    public TopicMismatch {
      differences = List.copyOf(differences);
    }

    @Override
    public String toString() {
      return "topic "
          + topic
          + " exists with different settings (left unchanged): "
          + differences.stream().map(Difference::toString).collect(Collectors.joining("; "));
    }
  }

  /** True when every topic exists with the expected settings. */
  public boolean matches() {
    return mismatched.isEmpty();
  }

  /** One line per mismatched topic, or a line saying all is well. */
  public String message() {
    if (mismatched.isEmpty()) {
      return "topics ready: " + created.size() + " created, " + unchanged.size() + " unchanged";
    }
    return mismatched.stream().map(TopicMismatch::toString).collect(Collectors.joining("\n"));
  }
}
