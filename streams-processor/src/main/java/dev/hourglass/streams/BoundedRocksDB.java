package dev.hourglass.streams;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.IndexType;
import org.rocksdb.Options;

/**
 * Puts every RocksDB store of the processor (the dedup and closed-hours window stores, each segment
 * a RocksDB instance) on the instance's {@link RocksDBMemory}: its block cache, with index and
 * filter blocks inside it, and its write buffer manager. Kafka Streams creates one setter per store
 * by name ({@code rocksdb.config.setter}), so it is public with a public constructor.
 */
public final class BoundedRocksDB implements RocksDBConfigSetter {
  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    Object shared = configs.get(RocksDBMemory.CONFIG);
    if (!(shared instanceof RocksDBMemory memory)) {
      throw new ConfigException(
          RocksDBMemory.CONFIG,
          shared,
          "the processor's shared RocksDB memory must be set before Kafka Streams starts");
    }
    // Kafka Streams' own table config, changed in place: a new one would drop its other settings
    // (the Bloom filter) and hide the cache from its block-cache metrics.
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(memory.cache());
    // Index and filter blocks count against the cache instead of growing outside it with the
    // number of files; the top level of each stays pinned so that lookups never miss on it.
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    // Partitioned index and filters: only the partitions in use take cache, not whole files'.
    table.setIndexType(IndexType.kTwoLevelIndexSearch);
    table.setPartitionFilters(true);
    options.setTableFormatConfig(table);
    options.setWriteBufferManager(memory.writeBuffers());
  }

  /** Nothing of its own to close: the shared cache and write buffers belong to the instance. */
  @Override
  public void close(String storeName, Options options) {}
}
