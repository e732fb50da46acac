package dev.hourglass.streams;

import static dev.hourglass.streams.Driver.H9;
import static dev.hourglass.streams.Events.ORG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.contract.Family;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.events.TaskEventKind;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;

class BoundedRocksDBTest {
  private static final long MIB = 1024L * 1024;

  @TempDir Path stateDir;

  /**
   * Kafka Streams' block-cache-capacity metric of every RocksDB store, by store name: the capacity
   * of the cache each store's segments actually use.
   */
  private static Map<String, BigInteger> blockCacheCapacities(Driver d) {
    Map<String, BigInteger> byStore = new HashMap<>();
    for (Map.Entry<MetricName, ? extends Metric> m : d.driver.metrics().entrySet()) {
      MetricName name = m.getKey();
      if (name.name().equals("block-cache-capacity")
          && name.group().equals("stream-state-metrics")) {
        String store = name.tags().get("rocksdb-window-state-id");
        byStore.put(store, (BigInteger) m.getValue().metricValue());
      }
    }
    return byStore;
  }

  /**
   * Writes every family's dedup store, then closes hour 9 so that its closed-hours store is
   * written: a window store opens its first RocksDB segment on its first write.
   */
  private static void fillEveryStore(Driver d) {
    for (Instant at : List.of(H9.plusSeconds(60), H9.plus(Duration.ofHours(2)))) {
      d.send(Events.task(ORG, at, TaskEventKind.CREATED).build());
      d.send(Events.agent(ORG, at, AgentEventKind.STARTED).build());
      d.send(Events.integration(ORG, at, IntegrationStatus.SUCCESS).build());
    }
    d.tick();
  }

  private static Map<String, BigInteger> everyStore(long capacity) {
    Map<String, BigInteger> expected = new HashMap<>();
    for (Family family : Family.values()) {
      Nodes n = Nodes.of(family);
      expected.put(n.dedupStore(), BigInteger.valueOf(capacity));
      expected.put(n.closedHoursStore(), BigInteger.valueOf(capacity));
    }
    return expected;
  }

  @Test
  void shouldPutEveryRocksDBStoreOnTheConfiguredSharedCache() {
    try (Driver d =
        new Driver(
            stateDir, Map.of(ProcessorConfig.ROCKSDB_MEMORY_BYTES, Long.toString(24 * MIB)))) {
      fillEveryStore(d);

      // One cache of exactly the configured size under every store, whatever its segments: with
      // Kafka's defaults each segment would report its own 50 MiB cache, added up per store.
      assertThat(blockCacheCapacities(d)).isEqualTo(everyStore(24 * MIB));
    }
  }

  @Test
  void shouldDefaultTo128MiBForAllStores() {
    try (Driver d = new Driver(stateDir)) {
      fillEveryStore(d);

      assertThat(blockCacheCapacities(d)).isEqualTo(everyStore(128 * MIB));
      assertThat(d.rocksDBMemory.bytes()).isEqualTo(128 * MIB);
      assertThat(RocksDBMemory.memtableBytes(d.rocksDBMemory.bytes())).isEqualTo(64 * MIB);
    }
  }

  @Test
  void shouldRefuseToOpenAStoreWithoutTheSharedMemory() {
    try (Options options = new Options()) {
      assertThatThrownBy(() -> new BoundedRocksDB().setConfig("dedup", options, Map.of()))
          .isInstanceOf(ConfigException.class)
          .hasMessage(
              "Invalid value null for configuration hourglass.rocksdb.memory: the processor's"
                  + " shared RocksDB memory must be set before Kafka Streams starts");
    }
  }
}
