#!/usr/bin/env node
'use strict';
// Publishes Hourglass events from a JSON-lines file, one event per line:
//   {"type": "TaskEvent", "event": {"event_id": "…", "occurred_at": "2026-11-20T10:00:00Z", …}}
// Usage: node publish.js --bootstrap HOST:PORT [--prefix hourglass.] [--history DIR] FILE
// Every line is encoded (single-object, newest released schema of its type) before anything is
// sent, so a line that does not fit its schema stops the run with its number and nothing sent.
// Rules beyond the schema (UUIDs, ranges, …) are the processor's: it dead-letters what breaks them.

const fs = require('fs');
const { parseArgs } = require('util');
const { Kafka, Partitioners, logLevel } = require('kafkajs');
const { EVENT_TOPICS, latestSchemas, encode } = require('./hourglass');

async function main() {
  const { values, positionals } = parseArgs({
    options: {
      bootstrap: { type: 'string', default: 'localhost:9092' },
      prefix: { type: 'string', default: 'hourglass.' },
      history: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals.length !== 1) {
    throw new Error('usage: node publish.js --bootstrap HOST:PORT [--prefix P] [--history DIR] FILE');
  }
  const schemas = latestSchemas(values.history);
  const byTopic = new Map();
  const lines = fs.readFileSync(positionals[0], 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const { type, event } = JSON.parse(line);
    if (!(type in EVENT_TOPICS)) {
      throw new Error(`line ${i + 1}: type ${type} is not one of ${Object.keys(EVENT_TOPICS)}`);
    }
    const errors = [];
    if (!schemas[type].type.isValid(event, { errorHook: (p) => errors.push(p.join('.')) })) {
      throw new Error(`line ${i + 1}: not a valid ${type} at ${errors.join(', ')}`);
    }
    const topic = values.prefix + EVENT_TOPICS[type];
    if (!byTopic.has(topic)) byTopic.set(topic, []);
    // The key is the organization_id as UTF-8: it picks the partition and names the rollup's owner.
    byTopic.get(topic).push({ key: event.organization_id, value: encode(schemas[type], event) });
  });

  const kafka = new Kafka({
    clientId: 'hourglass-node-publisher',
    brokers: values.bootstrap.split(','),
    // kafkajs logs every connection at INFO; a publisher's output is its result.
    logLevel: logLevel.WARN,
  });
  const producer = kafka.producer({
    // Java's murmur2 partitioner: each organization's events land on the partition that counts them.
    createPartitioner: Partitioners.DefaultPartitioner,
    // A retry after a lost acknowledgement must not write the event twice.
    idempotent: true,
    // One request at a time: a retried request cannot overtake a later one and reorder a partition.
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    const results = await producer.sendBatch({
      // An acknowledged event is on every in-sync replica.
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    for (const r of results) {
      console.log(`${r.topicName} partition ${r.partition} base offset ${r.baseOffset}`);
    }
    const count = [...byTopic.values()].reduce((n, messages) => n + messages.length, 0);
    console.log(`published ${count} events`);
  } finally {
    await producer.disconnect();
  }
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
