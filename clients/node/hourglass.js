'use strict';
// The Hourglass wire contract as docs/clients.md states it, for Node.js: schemas from the
// released history, single-object encoding, topics and keys. No Java, no registry server.

const fs = require('fs');
const path = require('path');
const avro = require('avsc');

/** The event types a client publishes, and the topic (after the prefix) each goes to. */
const EVENT_TOPICS = {
  TaskEvent: 'task-events',
  AgentEvent: 'agent-events',
  IntegrationEvent: 'integration-events',
};

const DEFAULT_HISTORY = path.join(__dirname, '..', '..', 'avro', 'src', 'main', 'avro', 'history');

// CRC-64-AVRO, the Rabin fingerprint of the Avro specification, in 64-bit unsigned BigInt.
const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffffffffffffffffn;
const TABLE = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) {
    fp = (fp >> 1n) ^ (fp & 1n ? EMPTY : 0n);
  }
  return fp;
});

/** The CRC-64-AVRO fingerprint of some bytes, as an unsigned BigInt. */
function crc64Avro(bytes) {
  let fp = EMPTY;
  for (const b of bytes) {
    fp = ((fp >> 8n) ^ TABLE[Number((fp ^ BigInt(b)) & 0xffn)]) & MASK;
  }
  return fp;
}

/**
 * occurred_at and other timestamp-millis fields: a Date, an ISO-8601 string or a number of
 * milliseconds on the way in, a Date on the way out. The wire carries a long either way.
 */
class TimestampMillis extends avro.types.LogicalType {
  _fromValue(millis) {
    return new Date(millis);
  }
  _toValue(value) {
    if (value instanceof Date) return value.getTime();
    if (typeof value === 'string') return Date.parse(value);
    return value;
  }
}

/** One released schema version: its avsc type, fingerprint and 10-byte single-object header. */
function loadSchema(file) {
  const type = avro.Type.forSchema(JSON.parse(fs.readFileSync(file, 'utf8')), {
    logicalTypes: { 'timestamp-millis': TimestampMillis },
  });
  // avsc's schema() without attributes is the Parsing Canonical Form: the fingerprint's input.
  const canonical = JSON.stringify(type.schema());
  const fingerprint = crc64Avro(Buffer.from(canonical, 'utf8'));
  const header = Buffer.alloc(10);
  header[0] = 0xc3;
  header[1] = 0x01;
  header.writeBigUInt64LE(fingerprint, 2);
  return { name: type.name, type, fingerprint, header };
}

/**
 * The newest released version of each type, in history/index.txt's order (oldest first within a
 * type), so a client picks up a new version when the history it reads has one.
 */
function latestSchemas(historyDir = DEFAULT_HISTORY) {
  const files = fs
    .readFileSync(path.join(historyDir, 'index.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const byName = {};
  for (const file of files) {
    const schema = loadSchema(path.join(historyDir, file));
    byName[schema.name.split('.').pop()] = schema;
  }
  return byName;
}

/** The single-object encoding of a value: marker, fingerprint little-endian, Avro binary body. */
function encode(schema, value) {
  return Buffer.concat([schema.header, schema.type.toBuffer(value)]);
}

/** The decoded record of a single-object value, when its header is the given schema's. */
function decode(schema, bytes) {
  if (bytes.length < 10 || !bytes.subarray(0, 10).equals(schema.header)) {
    throw new Error(`not a single-object ${schema.name}: header ${bytes.subarray(0, 10).toString('hex')}`);
  }
  return schema.type.fromBuffer(bytes.subarray(10));
}

module.exports = { EVENT_TOPICS, crc64Avro, loadSchema, latestSchemas, encode, decode };
