package dev.hourglass.bench;

import java.util.Arrays;
import java.util.Locale;

/** How the benchmarks compute medians and print their figures. */
final class BenchFormat {
  private BenchFormat() {}

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  static String perSecond(double rate, String unit) {
    return String.format(Locale.ROOT, "%,.0f %s/s", rate, unit);
  }

  static String ratio(double r) {
    return String.format(Locale.ROOT, "%.3f", r);
  }

  static String ms(long micros) {
    return String.format(Locale.ROOT, "%,.1f ms", micros / 1000.0);
  }

  static String mib(long kib) {
    return String.format(Locale.ROOT, "%,.0f MiB", kib / 1024.0);
  }
}
