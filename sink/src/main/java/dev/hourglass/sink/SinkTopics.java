package dev.hourglass.sink;

import java.util.List;

/** The topics the sink reads, named as in docs/contracts.md behind a configurable prefix. */
record SinkTopics(String prefix) {
  String taskEvents() {
    return prefix + "task-events";
  }

  String agentEvents() {
    return prefix + "agent-events";
  }

  String integrationEvents() {
    return prefix + "integration-events";
  }

  String rollups() {
    return prefix + "rollups";
  }

  String alerts() {
    return prefix + "alerts";
  }

  String deadLetters() {
    return prefix + "dead-letters";
  }

  List<String> all() {
    return List.of(
        taskEvents(), agentEvents(), integrationEvents(), rollups(), alerts(), deadLetters());
  }
}
