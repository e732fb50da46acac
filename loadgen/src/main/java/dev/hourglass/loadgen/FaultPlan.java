package dev.hourglass.loadgen;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Which of the {@code n} sends carries which fault: exactly {@code round(fraction * n)} of each, at
 * positions drawn with a seeded random generator, so that a seed gives the same plan every time.
 * The first send is always clean (a duplicate needs an original before it).
 */
final class FaultPlan {
  /**
   * Draw order; also the order of {@link Injected} after NONE. A new fault is drawn last, so that a
   * seed keeps placing the older faults where it did.
   */
  private static final Injected[] FAULTS = {
    Injected.LATE,
    Injected.OUT_OF_ORDER,
    Injected.INVALID,
    Injected.POISON,
    Injected.DUPLICATE,
    Injected.MISROUTED
  };

  private static final Injected[] KINDS = Injected.values();

  private final byte[] kinds;
  private final Map<Injected, Long> counts = new EnumMap<>(Injected.class);

  FaultPlan(int n, Map<Injected, Double> fractions, SplittableRandom random) {
    this.kinds = new byte[n];
    long requested = 0;
    for (Injected fault : FAULTS) {
      long count = Math.round(fractions.getOrDefault(fault, 0.0) * n);
      counts.put(fault, count);
      requested += count;
    }
    long slots = Math.max(0, n - 1);
    if (requested > slots) {
      throw new IllegalArgumentException(
          "Invalid value "
              + requested
              + " for configuration fault fractions: they ask for "
              + requested
              + " faulty events out of "
              + n
              + ", at most "
              + slots
              + " (the first event is always clean)");
    }
    long free = slots;
    for (Injected fault : FAULTS) {
      long count = counts.get(fault);
      if (count == 0) {
        continue;
      }
      if (count * 2 <= free) {
        // Sparse: reject taken positions; at most half are taken, so few draws are wasted.
        long placed = 0;
        while (placed < count) {
          int i = 1 + random.nextInt(n - 1);
          if (kinds[i] == 0) {
            kinds[i] = (byte) fault.ordinal();
            placed++;
          }
        }
      } else {
        // Dense: a partial Fisher-Yates shuffle of the free positions.
        int[] open = new int[(int) free];
        int k = 0;
        for (int i = 1; i < n; i++) {
          if (kinds[i] == 0) {
            open[k++] = i;
          }
        }
        for (int j = 0; j < count; j++) {
          int pick = j + random.nextInt(open.length - j);
          int tmp = open[pick];
          open[pick] = open[j];
          open[j] = tmp;
          kinds[open[j]] = (byte) fault.ordinal();
        }
      }
      free -= count;
    }
    counts.put(Injected.NONE, (long) n - requested);
  }

  Injected at(long index) {
    return KINDS[kinds[(int) index]];
  }

  /** How many sends of each kind the plan holds, NONE included. */
  Map<Injected, Long> counts() {
    return Map.copyOf(counts);
  }
}
