package dev.hourglass.avro;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.AvroRuntimeException;
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
 */
public final class SingleObjectFormat implements RecordFormat {
  private static final byte MARKER_0 = (byte) 0xC3;
  private static final byte MARKER_1 = (byte) 0x01;
  static final int HEADER = 10;

  private final KnownSchemas schemas;
  private final ConcurrentMap<Long, DatumReader<SpecificRecord>> readers =
      new ConcurrentHashMap<>();
  private final ConcurrentMap<Schema, SpecificDatumWriter<SpecificRecord>> writers =
      new ConcurrentHashMap<>();
  private final ConcurrentMap<Schema, Long> fingerprints = new ConcurrentHashMap<>();

  public SingleObjectFormat(KnownSchemas schemas) {
    this.schemas = schemas;
  }

  /** The format over {@link KnownSchemas#standard()}. */
  public static SingleObjectFormat standard() {
    return new SingleObjectFormat(KnownSchemas.standard());
  }

  @Override
  public byte[] encode(SpecificRecord record) {
    Schema schema = record.getSchema();
    long fingerprint = fingerprints.computeIfAbsent(schema, KnownSchemas::fingerprint);
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
    header.put(MARKER_0).put(MARKER_1).putLong(fingerprint);
    out.write(header.array(), 0, HEADER);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      writers.computeIfAbsent(schema, SpecificDatumWriter::new).write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + schema.getFullName(), e);
    }
    return out.toByteArray();
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
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    KnownSchemas.Entry entry = schemas.find(fingerprint);
    if (entry == null) {
      throw new BadRecordException(
          BadRecordException.Reason.UNKNOWN_FINGERPRINT,
          topic,
          "writer schema fingerprint " + Long.toHexString(fingerprint) + " is not known",
          null);
    }
    DatumReader<SpecificRecord> reader =
        readers.computeIfAbsent(
            fingerprint, f -> new SpecificDatumReader<>(entry.writer(), entry.reader()));
    BinaryDecoder decoder =
        DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, null);
    try {
      SpecificRecord record = reader.read(null, decoder);
      if (!decoder.isEnd()) {
        throw new BadRecordException(
            BadRecordException.Reason.TRUNCATED,
            topic,
            "trailing bytes after a " + entry.writer().getFullName(),
            null);
      }
      return record;
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
      throw new BadRecordException(
          BadRecordException.Reason.TRUNCATED,
          topic,
          "body does not decode as " + entry.writer().getFullName() + ": " + e,
          e);
    }
  }
}
