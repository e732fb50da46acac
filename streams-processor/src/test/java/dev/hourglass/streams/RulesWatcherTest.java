package dev.hourglass.streams;

import static dev.hourglass.streams.Driver.H9;
import static dev.hourglass.streams.Events.ORG;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.events.TaskEventKind;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rules without a restart (issue 20): a changed file is put in force, a bad one refused. */
class RulesWatcherTest {

  private static String spike(double fireAbove, double clearBelow) {
    return "rules:\n"
        + "  - name: task_failure_spike\n"
        + "    family: task\n"
        + "    metric: failed_count\n"
        + "    fire_above: "
        + fireAbove
        + "\n"
        + "    clear_below: "
        + clearBelow
        + "\n";
  }

  @Test
  void shouldPutAChangedRulesFileInForce(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("rules.yaml"), spike(20, 5));
    LiveRules live = new LiveRules(Rules.load(file));
    RulesWatcher watcher = new RulesWatcher(file, live);

    assertThat(watcher.check()).isEqualTo(RulesWatcher.Outcome.UNCHANGED);
    Files.writeString(file, spike(10, 2));
    assertThat(watcher.check()).isEqualTo(RulesWatcher.Outcome.RELOADED);
    assertThat(watcher.check()).isEqualTo(RulesWatcher.Outcome.UNCHANGED);

    assertThat(live.current().rules()).hasSize(1);
    assertThat(live.current().rules().get(0).fireAbove()).isEqualTo(10.0);
    assertThat(live.current().rules().get(0).clearBelow()).isEqualTo(2.0);
  }

  @Test
  void shouldRefuseABadRulesFileAndKeepTheRulesInForce(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("rules.yaml"), spike(20, 5));
    Rules before = Rules.load(file);
    LiveRules live = new LiveRules(before);
    RulesWatcher watcher = new RulesWatcher(file, live);

    Files.writeString(file, spike(5, 20)); // clear_below above fire_above
    assertThat(watcher.check()).isEqualTo(RulesWatcher.Outcome.REFUSED);
    assertThat(watcher.check()).isEqualTo(RulesWatcher.Outcome.UNCHANGED);
    Files.writeString(file, "rules: [");
    assertThat(watcher.check()).isEqualTo(RulesWatcher.Outcome.REFUSED);

    assertThat(live.current()).isSameAs(before);
    Files.writeString(file, spike(30, 5));
    assertThat(watcher.check()).isEqualTo(RulesWatcher.Outcome.RELOADED);
    assertThat(live.current().rules().get(0).fireAbove()).isEqualTo(30.0);
  }

  @Test
  void shouldEvaluateTheRunningTopologyWithTheRulesInForce(@TempDir Path dir) throws Exception {
    LiveRules live = new LiveRules(Rules.defaults());
    try (Driver d = new Driver(dir, Map.of(), 1, live)) {
      for (int i = 0; i < 15; i++) {
        d.send(Events.task(ORG, H9.plus(Duration.ofMinutes(i)), TaskEventKind.FAILED).build());
      }
      d.tick();
      assertThat(d.alerts()).isEmpty(); // 15 is not above the default 20

      live.replace(Rules.parse(spike(10, 2), "test"));
      d.send(Events.task(ORG, H9.plus(Duration.ofMinutes(30)), TaskEventKind.FAILED).build());
      d.tick();

      List<Alert> alerts = d.alerts().stream().map(kv -> kv.value).toList();
      assertThat(alerts).hasSize(1);
      assertThat(alerts.get(0).getState()).isEqualTo(AlertState.FIRING);
      assertThat(alerts.get(0).getObservedValue()).isEqualTo(16.0);
      assertThat(alerts.get(0).getThreshold()).isEqualTo(10.0);
    }
  }
}
