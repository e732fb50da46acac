package dev.hourglass.streams;

import dev.hourglass.avro.LogHistogram;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Binary encodings of the values in the processor's state stores. Compact and quick because a
 * window is written on every event: histograms are stored sparse. Each value starts with a version
 * byte so that a later layout can still read older changelogs.
 */
final class StateCodec {
  private static final byte V1 = 1;

  private StateCodec() {}

  /**
   * The window's bytes. Written on every event, so ASCII keys (UUIDs and names, the usual case) are
   * written straight into an array of the exact size; anything else takes {@link #windowStream},
   * which gives the same bytes.
   */
  static byte[] window(WindowState w) {
    String org = w.organizationId();
    String entity = w.entityKey();
    String label = w.label();
    if (!ascii(org) || !ascii(entity) || !ascii(label)) {
      return windowStream(w);
    }
    Measures m = w.measures();
    int nonZero = 0;
    for (long c : m.histogram) {
      if (c != 0) {
        nonZero++;
      }
    }
    int size =
        1
            + 6
            + org.length()
            + entity.length()
            + label.length()
            + 17
            + 1
            + 8 * m.longs.length
            + 1
            + 8 * m.doubles.length
            + 1
            + 9 * nonZero;
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(V1);
    putAscii(out, org);
    putAscii(out, entity);
    putAscii(out, label);
    out.putLong(w.windowStart());
    out.putLong(w.revision());
    out.put(w.dirty() ? (byte) 1 : (byte) 0);
    out.put((byte) m.longs.length);
    for (long l : m.longs) {
      out.putLong(l);
    }
    out.put((byte) m.doubles.length);
    for (double d : m.doubles) {
      out.putLong(Double.doubleToLongBits(d));
    }
    out.put((byte) nonZero);
    for (int i = 0; i < m.histogram.length; i++) {
      if (m.histogram[i] != 0) {
        out.put((byte) i);
        out.putLong(m.histogram[i]);
      }
    }
    return out.array();
  }

  /** Whether {@link DataOutputStream#writeUTF} writes {@code s} as one byte per char. */
  private static boolean ascii(String s) {
    if (s.length() > 0xFFFF) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0 || c > 0x7F) {
        return false;
      }
    }
    return true;
  }

  private static void putAscii(ByteBuffer out, String s) {
    out.putShort((short) s.length());
    for (int i = 0; i < s.length(); i++) {
      out.put((byte) s.charAt(i));
    }
  }

  /** The reference encoding of a window (any strings). */
  static byte[] windowStream(WindowState w) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(V1);
      out.writeUTF(w.organizationId());
      out.writeUTF(w.entityKey());
      out.writeUTF(w.label());
      out.writeLong(w.windowStart());
      out.writeLong(w.revision());
      out.writeBoolean(w.dirty());
      measures(out, w.measures());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static WindowState window(byte[] value) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
      version(in);
      return new WindowState(
          in.readUTF(),
          in.readUTF(),
          in.readUTF(),
          in.readLong(),
          in.readLong(),
          in.readBoolean(),
          measures(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void measures(DataOutputStream out, Measures m) throws IOException {
    out.writeByte(m.longs.length);
    for (long l : m.longs) {
      out.writeLong(l);
    }
    out.writeByte(m.doubles.length);
    for (double d : m.doubles) {
      out.writeDouble(d);
    }
    int nonZero = 0;
    for (long c : m.histogram) {
      if (c != 0) {
        nonZero++;
      }
    }
    out.writeByte(nonZero);
    for (int i = 0; i < m.histogram.length; i++) {
      if (m.histogram[i] != 0) {
        out.writeByte(i);
        out.writeLong(m.histogram[i]);
      }
    }
  }

  private static Measures measures(DataInputStream in) throws IOException {
    long[] longs = new long[in.readUnsignedByte()];
    for (int i = 0; i < longs.length; i++) {
      longs[i] = in.readLong();
    }
    double[] doubles = new double[in.readUnsignedByte()];
    for (int i = 0; i < doubles.length; i++) {
      doubles[i] = in.readDouble();
    }
    long[] histogram = new long[LogHistogram.BUCKETS];
    int nonZero = in.readUnsignedByte();
    for (int i = 0; i < nonZero; i++) {
      int bucket = in.readUnsignedByte();
      histogram[bucket] = in.readLong();
    }
    return new Measures(longs, doubles, histogram);
  }

  static byte[] fired(List<FiredAlert> fired) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(V1);
      out.writeInt(fired.size());
      for (FiredAlert f : fired) {
        out.writeLong(f.windowStart());
        out.writeDouble(f.observed());
        out.writeLong(f.firedAt());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static List<FiredAlert> fired(byte[] value) {
    List<FiredAlert> fired = new ArrayList<>();
    if (value == null) {
      return fired;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
      version(in);
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        fired.add(new FiredAlert(in.readLong(), in.readDouble(), in.readLong()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return fired;
  }

  /** A closed hour: its window, length-prefixed, then the names of the rules that fired for it. */
  static byte[] closedHour(ClosedHour h) {
    byte[] window = window(h.window());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(window.length + 32);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(V1);
      out.writeInt(window.length);
      out.write(window);
      out.writeInt(h.firedRules().size());
      for (String rule : new TreeSet<>(h.firedRules())) {
        out.writeUTF(rule);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static ClosedHour closedHour(byte[] value) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
      version(in);
      byte[] window = new byte[in.readInt()];
      in.readFully(window);
      int n = in.readInt();
      Set<String> fired = new TreeSet<>();
      for (int i = 0; i < n; i++) {
        fired.add(in.readUTF());
      }
      return new ClosedHour(window(window), fired);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] stats(Stats s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(V1);
      out.writeLong(s.counted);
      out.writeLong(s.duplicatesSuppressed);
      out.writeLong(s.lateCorrected);
      out.writeLong(s.streamTime);
      out.writeInt(s.deadLettered.size());
      for (var e : s.deadLettered.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeLong(e.getValue());
      }
      // Appended after the V1 layout, so stats written before re-routing existed still decode.
      out.writeLong(s.rerouted);
      // Appended in turn: stats written before the dedup clock existed read it as stream time,
      // the clock their dedup entries were stored with.
      out.writeLong(s.dedupTime);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Stats stats(byte[] value) {
    Stats s = new Stats();
    if (value == null) {
      return s;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
      version(in);
      s.counted = in.readLong();
      s.duplicatesSuppressed = in.readLong();
      s.lateCorrected = in.readLong();
      s.streamTime = in.readLong();
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        s.deadLettered.put(in.readUTF(), in.readLong());
      }
      s.rerouted = in.available() >= Long.BYTES ? in.readLong() : 0;
      s.dedupTime = in.available() >= Long.BYTES ? in.readLong() : s.streamTime;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return s;
  }

  private static void version(DataInputStream in) throws IOException {
    byte v = in.readByte();
    if (v != V1) {
      throw new IOException("unknown state value version " + v);
    }
  }
}
