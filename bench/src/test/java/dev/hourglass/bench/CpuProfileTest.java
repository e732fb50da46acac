package dev.hourglass.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.junit.jupiter.api.Test;

class CpuProfileTest {
  @Test
  void shouldGroupThreadsByTheComponentTheirNameNames() {
    assertThat(CpuProfile.group("bench-run1-5f0c-StreamThread-1")).isEqualTo(CpuProfile.STREAMS);
    assertThat(
            CpuProfile.group(
                "kafka-producer-network-thread | bench-run1-5f0c-StreamThread-1-producer"))
        .isEqualTo(CpuProfile.STREAMS);
    assertThat(CpuProfile.group("hourglass-sink-writer")).isEqualTo(CpuProfile.SINK);
    assertThat(CpuProfile.group("hourglass-load-0")).isEqualTo(CpuProfile.LOAD);
    assertThat(CpuProfile.group("kafka-producer-network-thread | hourglass-load"))
        .isEqualTo(CpuProfile.LOAD);
    assertThat(CpuProfile.group("bench-sampler")).isEqualTo(CpuProfile.BENCH);
    assertThat(CpuProfile.group("data-plane-kafka-request-handler-0")).isEqualTo(CpuProfile.BROKER);
  }

  @Test
  void shouldKeepTheTimeOfAThreadThatEndedAfterItsLastSample() throws InterruptedException {
    CpuProfile profile = new CpuProfile(ProcessHandle.current().pid());
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Thread busy =
        new Thread(
            () -> {
              // Spin until this thread has used 50 ms of CPU, then let the profile see it.
              while (threads.getCurrentThreadCpuTime() < 50_000_000L) {
                Math.sqrt(System.nanoTime());
              }
              profile.sample();
            },
            "hourglass-load-test");
    busy.start();
    busy.join();

    assertThat(profile.seconds().get(CpuProfile.LOAD)).isGreaterThanOrEqualTo(0.05);
  }
}
