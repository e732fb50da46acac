#!/usr/bin/env node
'use strict';
// Prints the alerts of an Hourglass installation, one JSON object per line, from the beginning.
// Usage: node read-alerts.js --bootstrap HOST:PORT [--prefix hourglass.] [--count N] [--history DIR]
// Reads values in either format of streams.alerts.format: JSON as it is, Avro (single-object
// Alert) decoded with the released schema. Stops after N alerts when --count is given.

const { parseArgs } = require('util');
const { Kafka, logLevel } = require('kafkajs');
const { latestSchemas, decode } = require('./hourglass');

/**
 * Times as the processor's JSON writes them (ISO-8601, milliseconds only when not zero), so an
 * alert prints the same line whichever format it was read in.
 */
function asProcessorWrites(key, value) {
  const raw = this[key];
  return raw instanceof Date ? raw.toISOString().replace(/\.000Z$/, 'Z') : value;
}

async function main() {
  const { values } = parseArgs({
    options: {
      bootstrap: { type: 'string', default: 'localhost:9092' },
      prefix: { type: 'string', default: 'hourglass.' },
      count: { type: 'string' },
      group: { type: 'string', default: `hourglass-node-alerts-${process.pid}` },
      history: { type: 'string' },
    },
  });
  const alert = latestSchemas(values.history).Alert;
  const wanted = values.count === undefined ? Infinity : Number(values.count);
  const kafka = new Kafka({
    clientId: 'hourglass-node-alerts',
    brokers: values.bootstrap.split(','),
    // kafkajs logs every connection at INFO; this reader's output is the alerts.
    logLevel: logLevel.WARN,
  });
  // readUncommitted false (kafkajs's default) is read_committed: the processor writes alerts in
  // transactions, and an alert of an aborted one must never be acted on.
  const consumer = kafka.consumer({ groupId: values.group, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic: `${values.prefix}alerts`, fromBeginning: true });
  let seen = 0;
  await new Promise((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          if (seen >= wanted) return;
          const value = message.value;
          // JSON starts with '{', Avro single-object with the marker byte C3.
          const record =
            value[0] === 0x7b ? JSON.parse(value.toString('utf8')) : decode(alert, value);
          console.log(JSON.stringify(record, asProcessorWrites));
          if (++seen >= wanted) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
