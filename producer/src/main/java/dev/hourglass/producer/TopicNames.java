package dev.hourglass.producer;

import java.util.List;
import java.util.Objects;

/**
 * The pipeline's topic names under one prefix (default {@code hourglass.}), as fixed in {@code
 * docs/contracts.md}.
 *
 * @param prefix stands before every base name, for example {@code hourglass.}
 */
public record TopicNames(String prefix) {
  public static final String TASK_EVENTS = "task-events";
  public static final String AGENT_EVENTS = "agent-events";
  public static final String INTEGRATION_EVENTS = "integration-events";
  public static final String ROLLUPS = "rollups";
  public static final String ALERTS = "alerts";
  public static final String DEAD_LETTERS = "dead-letters";
  public static final String STATS = "stats";

  /** Every base name, events first. */
  public static final List<String> BASES =
      List.of(TASK_EVENTS, AGENT_EVENTS, INTEGRATION_EVENTS, ROLLUPS, ALERTS, DEAD_LETTERS, STATS);

  public TopicNames {
    Objects.requireNonNull(prefix, "prefix");
  }

  public String name(String base) {
    return prefix + base;
  }

  public String taskEvents() {
    return name(TASK_EVENTS);
  }

  public String agentEvents() {
    return name(AGENT_EVENTS);
  }

  public String integrationEvents() {
    return name(INTEGRATION_EVENTS);
  }

  /** All seven names, in the order of {@link #BASES}. */
  public List<String> all() {
    return BASES.stream().map(this::name).toList();
  }
}
