package dev.hourglass.loadgen;

import dev.hourglass.producer.TopicNames;

/** The three event types, as the ledger names them, with their topics. */
enum Family {
  TASK("task", TopicNames.TASK_EVENTS),
  AGENT("agent", TopicNames.AGENT_EVENTS),
  INTEGRATION("integration", TopicNames.INTEGRATION_EVENTS);

  private final String ledgerName;
  private final String topicBase;

  Family(String ledgerName, String topicBase) {
    this.ledgerName = ledgerName;
    this.topicBase = topicBase;
  }

  String ledgerName() {
    return ledgerName;
  }

  String topicBase() {
    return topicBase;
  }
}
