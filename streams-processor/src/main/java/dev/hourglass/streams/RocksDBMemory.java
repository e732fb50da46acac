package dev.hourglass.streams;

import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

/**
 * The off-heap memory every RocksDB store of one processor instance shares: one LRU block cache of
 * {@code bytes} that also holds the stores' index and filter blocks and is charged for their
 * memtables (through one {@link WriteBufferManager}). Without it, each RocksDB instance (every
 * segment of every window store of every task) takes its own 50 MiB cache and up to three 16 MiB
 * memtables, so the processor's memory grew with partitions and segments instead of with a setting.
 *
 * <p>Created before {@code KafkaStreams} and handed to {@link BoundedRocksDB} through the Kafka
 * Streams configuration under {@link #CONFIG}; closed by its owner after {@code KafkaStreams} is
 * closed, never by a store (the others still use it).
 */
final class RocksDBMemory implements AutoCloseable {
  /**
   * The Kafka Streams configuration entry that carries this object to {@link BoundedRocksDB}: not a
   * user setting (its value is an object), so it is not declared in the configuration engine.
   */
  static final String CONFIG = "hourglass.rocksdb.memory";

  /** The memtables' share of the cache: writes (dedup ids) are most of what the stores do. */
  static final double MEMTABLE_SHARE = 0.5;

  /**
   * The share of the cache kept for index and filter blocks (high priority), so that data blocks
   * read once by late events never push out what every lookup needs.
   */
  static final double INDEX_FILTER_SHARE = 0.1;

  private final long bytes;
  private final Cache cache;
  private final WriteBufferManager writeBuffers;

  private RocksDBMemory(long bytes) {
    this.bytes = bytes;
    // Created before any store opens, so before Kafka Streams has loaded RocksDB's native code.
    RocksDB.loadLibrary();
    // Not a strict limit: RocksDB fails reads and writes that would exceed a strict one, and a
    // failed store fails its task; the memtables are flushed to stay under their share instead.
    this.cache = new LRUCache(bytes, -1, false, INDEX_FILTER_SHARE);
    this.writeBuffers = new WriteBufferManager(memtableBytes(bytes), cache);
  }

  /** Shared memory of {@code bytes} in all for one processor instance's stores. */
  static RocksDBMemory of(long bytes) {
    return new RocksDBMemory(bytes);
  }

  static long memtableBytes(long bytes) {
    return (long) (bytes * MEMTABLE_SHARE);
  }

  long bytes() {
    return bytes;
  }

  Cache cache() {
    return cache;
  }

  WriteBufferManager writeBuffers() {
    return writeBuffers;
  }

  /** After every store is closed: the write buffer manager holds a reference to the cache. */
  @Override
  public void close() {
    writeBuffers.close();
    cache.close();
  }
}
