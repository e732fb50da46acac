package dev.hourglass.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR recording of this JVM (the JDK's {@code profile} settings: execution samples every 10 ms,
 * allocation samples) and its summary per component, by thread name as in {@link CpuProfile}: the
 * share of CPU samples and of sampled allocation bytes, and the methods that take the most of each
 * (the top frame, and the first Hourglass frame under it, which says which of our calls led there).
 */
final class JfrProfile implements AutoCloseable {
  /**
   * One component's share and its heaviest methods.
   *
   * @param cpuShare of all CPU samples of the JVM's threads
   * @param allocationShare of all sampled allocation bytes
   * @param cpuTop top frames by samples, share of this component's samples
   * @param allocationTop top frames by bytes, share of this component's bytes
   */
  record Component(
      String component,
      double cpuShare,
      double allocationShare,
      double allocationMibPerSecond,
      Map<String, Double> cpuTop,
      Map<String, Double> allocationTop) {}

  private final Recording recording;
  private final long started = System.nanoTime();

  private JfrProfile(Recording recording) {
    this.recording = recording;
  }

  static JfrProfile start() throws IOException {
    try {
      Recording r = new Recording(Configuration.getConfiguration("profile"));
      r.setName("hourglass-bench-findings");
      r.start();
      return new JfrProfile(r);
    } catch (ParseException e) {
      throw new IOException("cannot read the JDK's JFR profile settings", e);
    }
  }

  /** Stops the recording, writes it to {@code file} and summarises it. */
  List<Component> stop(Path file, int top) throws IOException {
    double seconds = (System.nanoTime() - started) / 1e9;
    recording.stop();
    recording.dump(file);
    Map<String, Map<String, Double>> cpu = new TreeMap<>();
    Map<String, Map<String, Double>> alloc = new TreeMap<>();
    try (RecordingFile f = new RecordingFile(file)) {
      while (f.hasMoreEvents()) {
        RecordedEvent e = f.readEvent();
        String type = e.getEventType().getName();
        if (type.equals("jdk.ExecutionSample")) {
          add(cpu, e.getThread("sampledThread"), e.getStackTrace(), 1);
        } else if (type.equals("jdk.ObjectAllocationSample")) {
          add(alloc, e.getThread("eventThread"), e.getStackTrace(), e.getLong("weight"));
        }
      }
    }
    double cpuAll = total(cpu);
    double allocAll = total(alloc);
    return List.of(
            CpuProfile.STREAMS,
            CpuProfile.SINK,
            CpuProfile.LOAD,
            CpuProfile.BROKER,
            CpuProfile.BENCH)
        .stream()
        .map(
            g -> {
              Map<String, Double> c = cpu.getOrDefault(g, Map.of());
              Map<String, Double> a = alloc.getOrDefault(g, Map.of());
              double cs = sum(c);
              double as = sum(a);
              return new Component(
                  g,
                  cpuAll == 0 ? 0 : cs / cpuAll,
                  allocAll == 0 ? 0 : as / allocAll,
                  as / seconds / (1 << 20),
                  top(c, cs, top),
                  top(a, as, top));
            })
        .toList();
  }

  private static void add(
      Map<String, Map<String, Double>> into,
      RecordedThread thread,
      RecordedStackTrace stack,
      double weight) {
    if (thread == null || stack == null || stack.getFrames().isEmpty()) {
      return;
    }
    String name = thread.getJavaName() == null ? thread.getOSName() : thread.getJavaName();
    into.computeIfAbsent(CpuProfile.group(name == null ? "" : name), g -> new LinkedHashMap<>())
        .merge(site(stack.getFrames()), weight, Double::sum);
  }

  /** The top frame, and the first Hourglass frame below it when the top one is not ours. */
  static String site(List<RecordedFrame> frames) {
    String top = method(frames.get(0));
    if (top.startsWith("dev.hourglass.")) {
      return top;
    }
    for (RecordedFrame f : frames) {
      String m = method(f);
      if (m.startsWith("dev.hourglass.")) {
        return top + " ← " + m;
      }
    }
    return top;
  }

  private static String method(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  static Map<String, Double> top(Map<String, Double> weights, double total, int n) {
    Map<String, Double> out = new LinkedHashMap<>();
    weights.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
        .limit(n)
        .forEach(e -> out.put(e.getKey(), total == 0 ? 0 : e.getValue() / total));
    return out;
  }

  private static double total(Map<String, Map<String, Double>> m) {
    return m.values().stream().mapToDouble(JfrProfile::sum).sum();
  }

  private static double sum(Map<String, Double> m) {
    return m.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  @Override
  public void close() {
    recording.close();
  }
}
