package dev.hourglass.avro;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding: the marker {@code C3 01}, the writer schema's 8-byte little-endian
 * CRC-64-AVRO fingerprint, then the binary body. Every record names its writer schema without a
 * registry server; {@link KnownSchemas} resolves older and newer versions into the current class.
 * Thread-safe: readers and writers are cached per schema and hold no per-call state.
 */
public final class SingleObjectFormat implements RecordFormat {
  private static final byte MARKER_0 = (byte) 0xC3;
  private static final byte MARKER_1 = (byte) 0x01;
  static final int HEADER = 10;
  private static final int MAX_KEPT_BUFFER = 1 << 20;
  private static final ThreadLocal<Buffer> BUFFERS = ThreadLocal.withInitial(Buffer::new);

  /**
   * A per-thread decoder, reconfigured for each record: a new one per record was a sizeable share
   * of the sink's and the processor's decoding allocation (BENCHMARKS.md, "JVM allocation").
   */
  private static final ThreadLocal<BinaryDecoder[]> DECODERS =
      ThreadLocal.withInitial(() -> new BinaryDecoder[1]);

  private final KnownSchemas schemas;
  private final ConcurrentMap<Long, DatumReader<SpecificRecord>> readers =
      new ConcurrentHashMap<>();
  private final ConcurrentMap<Schema, Writer> writers = new ConcurrentHashMap<>();

  /** The header and the datum writer of one schema. */
  private record Writer(byte[] header, SpecificDatumWriter<SpecificRecord> datum) {}

  public SingleObjectFormat(KnownSchemas schemas) {
    this.schemas = schemas;
  }

  /** The format over {@link KnownSchemas#standard()}. */
  public static SingleObjectFormat standard() {
    return new SingleObjectFormat(KnownSchemas.standard());
  }

  /**
   * @throws IllegalArgumentException when the record's schema is not in the schema store, since no
   *     reader could decode it
   */
  @Override
  public byte[] encode(SpecificRecord record) {
    Writer writer = writers.computeIfAbsent(record.getSchema(), this::writer);
    Buffer buffer = BUFFERS.get();
    buffer.reset();
    buffer.write(writer.header(), 0, HEADER);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(buffer, buffer.encoder);
    buffer.encoder = encoder;
    try {
      writer.datum().write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + record.getSchema().getFullName(), e);
    }
    byte[] bytes = buffer.toByteArray();
    if (buffer.capacity() > MAX_KEPT_BUFFER) {
      // One huge record must not pin its buffer to the thread for good.
      BUFFERS.remove();
    }
    return bytes;
  }

  /** A per-thread output buffer and encoder, so that encoding allocates only the result. */
  private static final class Buffer extends ByteArrayOutputStream {
    BinaryEncoder encoder;

    Buffer() {
      super(1024);
    }

    int capacity() {
      return buf.length;
    }
  }

  private Writer writer(Schema schema) {
    long fingerprint = KnownSchemas.fingerprint(schema);
    if (schemas.find(fingerprint) == null) {
      throw new IllegalArgumentException(
          "cannot encode "
              + schema.getFullName()
              + ": schema fingerprint "
              + hex(fingerprint)
              + " is not in the schema store");
    }
    byte[] header = new byte[HEADER];
    header[0] = MARKER_0;
    header[1] = MARKER_1;
    for (int i = 0; i < 8; i++) {
      header[2 + i] = (byte) (fingerprint >>> (8 * i));
    }
    return new Writer(header, new SpecificDatumWriter<>(schema, GeneratedClasses.INSTANCE));
  }

  @Override
  public SpecificRecord decode(String topic, byte[] bytes) {
    if (bytes == null || bytes.length < 2 || bytes[0] != MARKER_0 || bytes[1] != MARKER_1) {
      throw new BadRecordException(
          BadRecordException.Reason.NOT_SINGLE_OBJECT,
          topic,
          bytes == null
              ? "null value"
              : "no single-object marker C3 01 at the start of " + bytes.length + " bytes",
          null);
    }
    if (bytes.length < HEADER) {
      throw new BadRecordException(
          BadRecordException.Reason.TRUNCATED,
          topic,
          "header needs " + HEADER + " bytes, got " + bytes.length,
          null);
    }
    long fingerprint = 0;
    for (int i = 7; i >= 0; i--) {
      fingerprint = (fingerprint << 8) | (bytes[2 + i] & 0xFFL);
    }
    KnownSchemas.Entry entry = schemas.find(fingerprint);
    if (entry == null) {
      String refused = schemas.refused(fingerprint);
      throw new BadRecordException(
          BadRecordException.Reason.UNKNOWN_FINGERPRINT,
          topic,
          "writer schema fingerprint "
              + hex(fingerprint)
              + (refused == null ? " is not in the schema store" : " is refused: " + refused),
          null);
    }
    DatumReader<SpecificRecord> reader =
        readers.computeIfAbsent(
            fingerprint,
            f ->
                new SpecificDatumReader<>(
                    entry.writer(), entry.reader(), GeneratedClasses.INSTANCE));
    BinaryDecoder[] kept = DECODERS.get();
    BinaryDecoder decoder =
        DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, kept[0]);
    kept[0] = decoder;
    SpecificRecord record;
    try {
      record = reader.read(null, decoder);
    } catch (EOFException e) {
      throw new BadRecordException(
          BadRecordException.Reason.TRUNCATED,
          topic,
          "body of "
              + (bytes.length - HEADER)
              + " bytes ends before the "
              + entry.writer().getFullName()
              + " does",
          e);
    } catch (IOException | RuntimeException e) {
      // Avro reports corrupt bodies with several runtime exceptions (negative or huge lengths, bad
      // union or enum indexes): all mean the bytes are not a record of the writer schema.
      throw new BadRecordException(
          BadRecordException.Reason.TRUNCATED,
          topic,
          "body does not decode as " + entry.writer().getFullName() + ": " + e,
          e);
    }
    int trailing = isEnd(decoder) ? 0 : trailingBytes(decoder);
    if (trailing > 0) {
      throw new BadRecordException(
          BadRecordException.Reason.TRUNCATED,
          topic,
          trailing + " trailing bytes after a " + entry.writer().getFullName(),
          null);
    }
    return record;
  }

  /** Whether every byte was read; asks without wrapping the decoder in a stream. */
  private static boolean isEnd(BinaryDecoder decoder) {
    try {
      return decoder.isEnd();
    } catch (IOException e) {
      // An in-memory source cannot fail; say what would be lost if it did.
      throw new UncheckedIOException(e);
    }
  }

  private static int trailingBytes(BinaryDecoder decoder) {
    try {
      return decoder.inputStream().available();
    } catch (IOException e) {
      // An in-memory source cannot fail; say what would be lost if it did.
      throw new UncheckedIOException(e);
    }
  }

  private static String hex(long fingerprint) {
    return String.format("%016x", fingerprint);
  }
}
