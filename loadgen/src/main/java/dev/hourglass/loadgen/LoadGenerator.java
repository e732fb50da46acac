package dev.hourglass.loadgen;

import dev.hourglass.avro.RecordFormat;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.contract.Family;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.producer.EventPublisher;
import dev.hourglass.producer.InvalidEventException;
import dev.hourglass.producer.PublisherConfig;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load generator ({@code hourglass produce}): synthetic task, agent and integration events for
 * a simulated world of organizations, reproducible from a seed, with injected faults, sent through
 * {@link EventPublisher} to the event topics, and a ledger of every acknowledged send. The
 * deliberate faults that the publisher would refuse or could not make (invalid events, poison
 * bytes, events on a partition that is not their key's) go through a plain Kafka producer of the
 * generator's own, with the publisher's guarantees.
 *
 * <p>Reads nothing but its options; writes the three event topics (which must exist: {@code
 * hourglass topics}, local mode and the benchmarks create them), the ledger and the failed ledger.
 * Run it with {@code hourglass produce}, or in-process: {@code new
 * LoadGenerator(options).run(out)}.
 *
 * <p>A progress bar (acknowledged, rate, sent, errors) is drawn on the terminal when there is one;
 * the summary (sent, acknowledged, failed, events/s, p50/p99 send latency) is printed always.
 */
public final class LoadGenerator {
  private static final Logger LOG = LoggerFactory.getLogger(LoadGenerator.class);
  private static final RecordFormat FORMAT = SingleObjectFormat.standard();

  private final LoadGeneratorOptions options;
  private final Clock clock;
  private final SendObserver observer;
  private final Map<String, String> kafkaClient;
  private volatile boolean stopped;

  public LoadGenerator(LoadGeneratorOptions options) {
    this(options, SendObserver.NONE);
  }

  /**
   * A generator whose producers get {@code kafkaClient} as well: the {@code kafka.*} settings
   * without their prefix (security).
   */
  public LoadGenerator(LoadGeneratorOptions options, Map<String, String> kafkaClient) {
    this(options, Clock.systemUTC(), SendObserver.NONE, kafkaClient);
  }

  /** A generator that tells {@code observer} of every event just before sending it. */
  public LoadGenerator(LoadGeneratorOptions options, SendObserver observer) {
    this(options, Clock.systemUTC(), observer, Map.of());
  }

  LoadGenerator(LoadGeneratorOptions options, Clock clock, SendObserver observer) {
    this(options, clock, observer, Map.of());
  }

  private LoadGenerator(
      LoadGeneratorOptions options,
      Clock clock,
      SendObserver observer,
      Map<String, String> kafkaClient) {
    this.options = options;
    this.clock = clock;
    this.observer = Objects.requireNonNull(observer, "observer");
    this.kafkaClient = Map.copyOf(kafkaClient);
  }

  /** Runs {@code options} to the end, printing the summary to standard output. */
  public static LoadSummary run(LoadGeneratorOptions options) {
    return new LoadGenerator(options).run(System.out);
  }

  /** Stops taking new events; the run then waits for what was sent and returns its summary. */
  public void stop() {
    stopped = true;
  }

  /**
   * Sends every planned event, waits for every acknowledgement, prints the summary to {@code out}.
   */
  public LoadSummary run(PrintStream out) {
    Instant now = clock.instant();
    Instant end =
        options.eventTimeEnd() != null
            ? options.eventTimeEnd()
            : now.truncatedTo(ChronoUnit.SECONDS);
    if (end.isAfter(now)) {
      throw new IllegalArgumentException(
          "Invalid value "
              + end
              + " for configuration --event-time-end: after the current time "
              + now
              + "; events would be refused as future events");
    }
    EventGenerator generator =
        new EventGenerator(
            options.seed(),
            options.totalEvents(),
            options.orgs(),
            options.grace(),
            options.eventSpan(),
            end,
            options.fractions());
    Map<String, String> publisherSettings = new HashMap<>();
    kafkaClient.forEach((k, v) -> publisherSettings.put(PublisherConfig.KAFKA_PREFIX + k, v));
    publisherSettings.put(PublisherConfig.BOOTSTRAP_SERVERS, options.bootstrapServers());
    publisherSettings.put(PublisherConfig.TOPIC_PREFIX, options.topicPrefix());
    publisherSettings.put(PublisherConfig.CLIENT_ID, "hourglass-load");
    PublisherConfig config = PublisherConfig.from(publisherSettings);
    LOG.info(
        "load generator: {} events, seed {}, {} organizations, {} agents, {} integrations,"
            + " event time {} to {}, planned {}",
        generator.size(),
        options.seed(),
        options.orgs(),
        generator.agentCount(),
        generator.integrationCount(),
        end.minus(options.eventSpan()),
        end,
        generator.plannedCounts());
    Counters counters = new Counters();
    long started;
    try (Ledger ledger = Ledger.open(options.ledger(), options.failedLedger());
        ProgressBar bar = progressBar(generator.size())) {
      EventPublisher publisher = EventPublisher.create(config);
      Producer<String, byte[]> faults = faultProducer(options.bootstrapServers(), kafkaClient);
      try {
        Map<String, Integer> partitions =
            generator.plannedCounts().getOrDefault(Injected.MISROUTED, 0L) > 0
                ? partitionCounts(publisher, faults)
                : Map.of();
        Senders senders = new Senders(publisher, faults, partitions);
        started = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        for (int k = 0; k < options.concurrency(); k++) {
          Thread t =
              new Thread(
                  () -> sendAll(generator, senders, ledger, counters, started),
                  "hourglass-load-" + k);
          t.start();
          workers.add(t);
        }
        for (Thread t : workers) {
          while (t.isAlive()) {
            t.join(200);
            show(bar, counters);
          }
        }
        publisher.flush();
        faults.flush();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopped = true;
        throw new IllegalStateException("interrupted while sending", e);
      } finally {
        try {
          publisher.close();
        } finally {
          faults.close();
        }
      }
      show(bar, counters);
      ledger.flush();
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    Throwable ledgerError = counters.ledgerError.get();
    if (ledgerError != null) {
      throw new IllegalStateException(
          "the ledger could not be written: " + ledgerError, ledgerError);
    }
    Map<String, Long> injected = new TreeMap<>();
    generator.plannedCounts().forEach((k, v) -> injected.put(k.ledgerName(), v));
    Histogram latency = counters.latencyMicros;
    LoadSummary summary =
        new LoadSummary(
            generator.size(),
            counters.sent.sum(),
            counters.acknowledged.sum(),
            counters.failed.sum(),
            elapsed,
            latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(50) / 1000.0,
            latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(99) / 1000.0,
            injected);
    out.println(summary.describe());
    return summary;
  }

  private static final class Counters {
    final LongAdder sent = new LongAdder();
    final LongAdder acknowledged = new LongAdder();
    final LongAdder failed = new LongAdder();
    final ConcurrentHistogram latencyMicros = new ConcurrentHistogram(3);
    final AtomicReference<Throwable> ledgerError = new AtomicReference<>();
  }

  /**
   * The publisher for the events it accepts, a plain producer for the faults it refuses or could
   * not make (a wrong partition), and the partition count of each event topic (empty when no event
   * is misrouted).
   */
  private record Senders(
      EventPublisher publisher, Producer<String, byte[]> faults, Map<String, Integer> partitions) {}

  /**
   * The partition count of every event topic, from the producer's metadata. A misrouted event needs
   * a partition other than its key's, so each topic must have at least two.
   */
  private static Map<String, Integer> partitionCounts(
      EventPublisher publisher, Producer<String, byte[]> producer) {
    Map<String, Integer> counts = new HashMap<>();
    for (Family family : Family.values()) {
      String topic = publisher.topics().events(family).name();
      int n = producer.partitionsFor(topic).size();
      if (n < 2) {
        throw new IllegalArgumentException(
            "Invalid value "
                + n
                + " for configuration partitions of "
                + topic
                + ": --misroute-fraction needs at least 2 partitions, to send an event to one"
                + " that is not its key's");
      }
      counts.put(topic, n);
    }
    return Map.copyOf(counts);
  }

  /**
   * A partition that is not the one Kafka's default partitioner (murmur2 of the key's UTF-8 bytes)
   * gives {@code key}: the next one.
   */
  static int wrongPartition(String key, int partitions) {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    return (Utils.toPositive(Utils.murmur2(bytes)) % partitions + 1) % partitions;
  }

  private void sendAll(
      EventGenerator generator, Senders senders, Ledger ledger, Counters counters, long started) {
    double intervalNanos = options.rate() > 0 ? 1e9 / options.rate() : 0;
    while (!stopped && counters.ledgerError.get() == null) {
      Planned p;
      synchronized (generator) {
        if (!generator.hasNext()) {
          return;
        }
        p = generator.next();
      }
      if (intervalNanos > 0) {
        // Send i is due at start + i / rate: a schedule, so that pauses are caught up and the
        // average rate stays exact (sleeping 1/rate after each send would drift below it).
        long due = started + (long) (p.index() * intervalNanos);
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
          LockSupport.parkNanos(wait);
          if (stopped) {
            return;
          }
        }
      }
      send(p, senders, ledger, counters);
    }
  }

  private void send(Planned p, Senders senders, Ledger ledger, Counters counters) {
    String topic = senders.publisher().topics().events(p.family()).name();
    long sentAt = System.nanoTime();
    if (p.event() != null) {
      observer.sending(p.event(), sentAt);
    }
    CompletableFuture<RecordMetadata> result;
    try {
      result =
          switch (p.injected()) {
            case POISON -> sendRaw(senders.faults(), topic, null, p.key(), p.raw());
            case INVALID ->
                sendRaw(senders.faults(), topic, null, p.key(), FORMAT.encode(p.event()));
            case MISROUTED ->
                sendRaw(
                    senders.faults(),
                    topic,
                    wrongPartition(p.key(), senders.partitions().get(topic)),
                    p.key(),
                    FORMAT.encode(p.event()));
            default -> publish(senders.publisher(), p.event());
          };
    } catch (InvalidEventException e) {
      result = CompletableFuture.failedFuture(e);
    }
    counters.sent.increment();
    result.whenComplete(
        (metadata, error) -> {
          try {
            if (error == null) {
              counters.latencyMicros.recordValue((System.nanoTime() - sentAt) / 1_000);
              ledger.acknowledged(p, metadata.topic(), metadata.partition(), metadata.offset());
              counters.acknowledged.increment();
            } else {
              Throwable cause = error instanceof CompletionException ? error.getCause() : error;
              ledger.failed(p, topic, cause);
              counters.failed.increment();
            }
          } catch (RuntimeException e) {
            counters.ledgerError.compareAndSet(null, e);
          }
        });
  }

  /**
   * The producer of the deliberate faults: acks and idempotence as in {@link EventPublisher}, so
   * that a fault is acknowledged (and enters the ledger) exactly as an event is.
   */
  private static Producer<String, byte[]> faultProducer(
      String bootstrapServers, Map<String, String> kafkaClient) {
    // How to authenticate (kafka.*), first: the settings below are the generator's own.
    Map<String, Object> p = new HashMap<>(kafkaClient);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    // Named apart from the publisher's client, so that logs and JMX tell the two apart.
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "hourglass-load-faults");
    // As the publisher: a fault counts as sent only once every in-sync replica has it.
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // As the publisher: a retried batch is never written twice, so each fault is in Kafka once.
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    // Faults are bytes already: poison as drawn, invalid events encoded without validation.
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  /**
   * Sends bytes as they are, to {@code partition} or (null) the key's; the future completes in the
   * send's acknowledgement callback.
   */
  private static CompletableFuture<RecordMetadata> sendRaw(
      Producer<String, byte[]> producer,
      String topic,
      Integer partition,
      String key,
      byte[] value) {
    CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
    try {
      producer.send(
          new ProducerRecord<>(topic, partition, key, value),
          (metadata, error) -> {
            if (error == null) {
              result.complete(metadata);
            } else {
              result.completeExceptionally(error);
            }
          });
    } catch (KafkaException | IllegalStateException e) {
      // Thrown rather than called back: a closed producer, an interrupt while blocked.
      result.completeExceptionally(e);
    }
    return result;
  }

  private static CompletableFuture<RecordMetadata> publish(
      EventPublisher publisher, SpecificRecord event) {
    if (event instanceof TaskEvent t) {
      return publisher.publish(t);
    } else if (event instanceof AgentEvent a) {
      return publisher.publish(a);
    }
    return publisher.publish((IntegrationEvent) event);
  }

  private static ProgressBar progressBar(long max) {
    if (System.console() == null) {
      return null;
    }
    return new ProgressBarBuilder()
        .setTaskName("produce")
        .setInitialMax(max)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(250)
        .setUnit(" events", 1)
        .showSpeed()
        .build();
  }

  private static void show(ProgressBar bar, Counters counters) {
    if (bar == null) {
      return;
    }
    bar.stepTo(counters.acknowledged.sum());
    bar.setExtraMessage("sent " + counters.sent.sum() + ", errors " + counters.failed.sum());
  }
}
