package dev.hourglass.streams;

import dev.hourglass.contract.Family;

/**
 * The names of one family's nodes and stores in the topology. Every name is explicit, so that
 * changelog topics keep their names when the topology changes (and {@code
 * ensure.explicit.internal.resource.naming} holds).
 */
record Nodes(
    String source,
    String reroutedSource,
    String processor,
    String windowsStore,
    String dedupStore,
    String alertsStore,
    String statsStore,
    String closedHoursStore,
    String rollupsSink,
    String alertsSink,
    String deadLettersSink,
    String statsSink,
    String reroutedSink) {

  static Nodes of(Family family) {
    String f = family.id();
    return new Nodes(
        f + "-events",
        f + "-rerouted-source",
        f + "-processor",
        f + "-windows",
        f + "-dedup",
        f + "-alert-state",
        f + "-stats-state",
        f + "-closed-hours",
        f + "-rollups-sink",
        f + "-alerts-sink",
        f + "-dead-letters-sink",
        f + "-stats-sink",
        f + "-rerouted-sink");
  }
}
