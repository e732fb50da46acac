package dev.hourglass.streams;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * In memory, which event_ids the dedup store may hold: Bloom filters, one set per generation of
 * stream time. Almost every event_id is new, and a lookup in the RocksDB window store opens an
 * iterator on each live segment; this filter answers "certainly new" without touching RocksDB, and
 * only a "maybe" goes on to the store. It never says "new" for an id that was added and is still
 * within the horizon, so deduplication stays exact; a false "maybe" only costs a store lookup.
 *
 * <p>An id is added with the stream time it was stored at, in the generation of that time. A
 * generation is forgotten once all of its times are older than the lookup's lower bound, as the
 * store forgets whole segments. Each generation grows by adding filters twice the size of the last
 * one when the last is full, so memory follows the number of ids (2 to 4 bytes per id) and a lookup
 * checks a handful of filters.
 */
final class SeenFilter {
  /**
   * Bits per id and probes per id: a full filter says a false "maybe" for about 1 new id in 700,
   * and a lookup asks every filter of the live generations (one to a few dozen).
   */
  private static final int BITS_PER_ID = 16;

  private static final int PROBES = 5;

  private final long generationMs;
  private final int firstFilterBits;
  private final TreeMap<Long, Generation> generations = new TreeMap<>();

  /**
   * @param generationMs stream time covered by one generation
   * @param firstFilterBits size of a generation's first filter, a power of two of at least 64
   */
  SeenFilter(long generationMs, int firstFilterBits) {
    if (generationMs <= 0) {
      throw new IllegalArgumentException("generationMs must be > 0, not " + generationMs);
    }
    if (firstFilterBits < 64 || Integer.bitCount(firstFilterBits) != 1) {
      throw new IllegalArgumentException(
          "firstFilterBits must be a power of two >= 64, not " + firstFilterBits);
    }
    this.generationMs = generationMs;
    this.firstFilterBits = firstFilterBits;
  }

  /** Records that {@code eventId} was stored at stream time {@code time}. */
  void add(String eventId, long time) {
    long g = Math.floorDiv(time, generationMs);
    generations.computeIfAbsent(g, k -> new Generation()).add(hash(eventId));
  }

  /**
   * False if {@code eventId} was certainly not added with a time at or after {@code from}; true if
   * it may have been.
   */
  boolean mightContain(String eventId, long from) {
    long h = hash(eventId);
    for (Generation g : generations.tailMap(Math.floorDiv(from, generationMs), true).values()) {
      if (g.mightContain(h)) {
        return true;
      }
    }
    return false;
  }

  /** Forgets the generations whose times are all before {@code from}. */
  void expireBefore(long from) {
    Long first = generations.isEmpty() ? null : generations.firstKey();
    if (first == null || first >= Math.floorDiv(from, generationMs)) {
      return;
    }
    generations.headMap(Math.floorDiv(from, generationMs), false).clear();
  }

  /** Generations held, for tests. */
  int generations() {
    return generations.size();
  }

  /** Bytes held by the filters. */
  long bytes() {
    long b = 0;
    for (Generation g : generations.values()) {
      for (Filter f : g.filters) {
        b += f.words.length * 8L;
      }
    }
    return b;
  }

  /** 64-bit FNV-1a over the UTF-16 chars, then a murmur3 finaliser to spread the bits. */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  private final class Generation {
    private final List<Filter> filters = new ArrayList<>(4);

    void add(long h) {
      Filter last = filters.isEmpty() ? null : filters.get(filters.size() - 1);
      if (last == null || last.full()) {
        long bits = last == null ? firstFilterBits : Math.min(1L << 30, last.bits() * 2L);
        last = new Filter((int) bits);
        filters.add(last);
      }
      last.add(h);
    }

    boolean mightContain(long h) {
      for (Filter f : filters) {
        if (f.mightContain(h)) {
          return true;
        }
      }
      return false;
    }
  }

  private static final class Filter {
    private final long[] words;
    private final int mask;
    private final int capacity;
    private int count;

    Filter(int bits) {
      words = new long[bits >>> 6];
      mask = bits - 1;
      capacity = bits / BITS_PER_ID;
    }

    int bits() {
      return mask + 1;
    }

    boolean full() {
      return count >= capacity;
    }

    void add(long h) {
      int h1 = (int) h;
      int h2 = (int) (h >>> 32) | 1;
      for (int i = 0; i < PROBES; i++) {
        int bit = (h1 + i * h2) & mask;
        words[bit >>> 6] |= 1L << bit;
      }
      count++;
    }

    boolean mightContain(long h) {
      int h1 = (int) h;
      int h2 = (int) (h >>> 32) | 1;
      for (int i = 0; i < PROBES; i++) {
        int bit = (h1 + i * h2) & mask;
        if ((words[bit >>> 6] & (1L << bit)) == 0) {
          return false;
        }
      }
      return true;
    }
  }
}
