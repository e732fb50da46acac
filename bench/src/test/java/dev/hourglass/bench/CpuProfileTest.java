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
  void shouldNameTheJvmsAndRocksDbsNativeThreadsByTheirLinuxNames() {
    assertThat(CpuProfile.nativeGroup("GC Thread#1")).isEqualTo(CpuProfile.GC);
    assertThat(CpuProfile.nativeGroup("G1 Refine#0")).isEqualTo(CpuProfile.GC);
    assertThat(CpuProfile.nativeGroup("C2 CompilerThre")).isEqualTo(CpuProfile.JIT);
    assertThat(CpuProfile.nativeGroup("C1 CompilerThre")).isEqualTo(CpuProfile.JIT);
    assertThat(CpuProfile.nativeGroup("rocksdb:low")).isEqualTo(CpuProfile.ROCKSDB);
    assertThat(CpuProfile.nativeGroup("rocksdb:high")).isEqualTo(CpuProfile.ROCKSDB);
    // Java threads are counted by their Java names; the VM thread stays in the rest.
    assertThat(CpuProfile.nativeGroup("hourglass-sink")).isNull();
    assertThat(CpuProfile.nativeGroup("VM Thread")).isNull();
  }

  @Test
  void shouldChargeTheCollectorsThreadsToGarbageCollection() {
    CpuProfile profile = new CpuProfile(ProcessHandle.current().pid());
    // Garbage the collector must copy: a young collection's work is proportional to what survives.
    java.util.List<byte[]> kept = new java.util.ArrayList<>();
    for (int round = 0; round < 20; round++) {
      for (int i = 0; i < 2_000; i++) {
        kept.add(new byte[1024]);
      }
      System.gc();
    }
    profile.sample();

    assertThat(kept).hasSize(40_000);
    assertThat(profile.seconds().get(CpuProfile.GC)).isPositive();
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
