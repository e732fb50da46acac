package dev.hourglass.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a benchmark ran on: every result file carries it, so figures are never read alone. */
final class Machine {
  private Machine() {}

  static Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("date", Instant.now().toString());
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("cpu", firstValue(Path.of("/proc/cpuinfo"), "model name"));
    m.put("memory", firstValue(Path.of("/proc/meminfo"), "MemTotal"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
    m.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
    m.put("load_average_at_start", loadAverage());
    return m;
  }

  /** The 1-minute load average: above the core count, other work shared the machine. */
  static double loadAverage() {
    return Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100)
        / 100.0;
  }

  private static String firstValue(Path file, String key) {
    try {
      List<String> lines = Files.readAllLines(file);
      for (String line : lines) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
          return line.substring(colon + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      return "unknown (" + e.getMessage() + ")";
    }
    return "unknown";
  }
}
