package dev.hourglass.producer;

import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load generator ({@code hourglass produce}): synthetic task, agent and integration events for
 * a simulated world of organizations, reproducible from a seed, with injected faults, sent through
 * {@link EventPublisher} to the event topics, and a ledger of every acknowledged send.
 *
 * <p>Reads nothing but its options; writes the three event topics (which must exist: {@link #main}
 * provisions them, {@link #run} does not), the ledger and the failed ledger. Run it with
 *
 * <pre>
 * java -cp ... dev.hourglass.producer.LoadGenerator --bootstrap-servers localhost:9092 \
 *     --events 1000000 --rate 20000 --seed 7 --ledger ledger.jsonl --late-fraction 0.01
 * </pre>
 *
 * <p>A progress bar (acknowledged, rate, sent, errors) is drawn on the terminal when there is one;
 * the summary (sent, acknowledged, failed, events/s, p50/p99 send latency) is printed always.
 */
public final class LoadGenerator {
  private static final Logger LOG = LoggerFactory.getLogger(LoadGenerator.class);

  private final LoadGeneratorOptions options;
  private final Clock clock;
  private final SendObserver observer;
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean stopped;

  public LoadGenerator(LoadGeneratorOptions options) {
    this(options, SendObserver.NONE);
  }

  /** A generator that tells {@code observer} of every event just before sending it. */
  public LoadGenerator(LoadGeneratorOptions options, SendObserver observer) {
    this(options, Clock.systemUTC(), observer);
  }

  LoadGenerator(LoadGeneratorOptions options, Clock clock, SendObserver observer) {
    this.options = options;
    this.clock = clock;
    this.observer = Objects.requireNonNull(observer, "observer");
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
    try {
      return execute(out);
    } finally {
      finished.countDown();
    }
  }

  private LoadSummary execute(PrintStream out) {
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
    PublisherConfig config =
        PublisherConfig.from(
            Map.of(
                PublisherConfig.BOOTSTRAP_SERVERS, options.bootstrapServers(),
                PublisherConfig.TOPIC_PREFIX, options.topicPrefix(),
                PublisherConfig.CLIENT_ID, "hourglass-load"));
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
      try {
        started = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        for (int k = 0; k < options.concurrency(); k++) {
          Thread t =
              new Thread(
                  () -> sendAll(generator, publisher, ledger, counters, started),
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
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopped = true;
        throw new IllegalStateException("interrupted while sending", e);
      } finally {
        publisher.close();
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

  private void sendAll(
      EventGenerator generator,
      EventPublisher publisher,
      Ledger ledger,
      Counters counters,
      long started) {
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
      send(p, publisher, ledger, counters);
    }
  }

  private void send(Planned p, EventPublisher publisher, Ledger ledger, Counters counters) {
    String topic = publisher.topics().name(p.family().topicBase());
    long sentAt = System.nanoTime();
    if (p.event() != null) {
      observer.sending(p.event(), sentAt);
    }
    CompletableFuture<RecordMetadata> result;
    try {
      result =
          switch (p.injected()) {
            case POISON -> publisher.publishRaw(topic, p.key(), p.raw());
            case INVALID -> publisher.publishUnvalidated(p.event());
            default -> publish(publisher, p.event());
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

  /**
   * Parses the options, creates the pipeline's topics when missing ({@link TopicProvisioner}, with
   * the default settings), runs, prints the summary. Exit status 0 when every send was
   * acknowledged, 1 when some failed, 2 for bad options.
   */
  public static void main(String[] args) {
    LoadGeneratorOptions options;
    try {
      options = LoadGeneratorOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage().replace("; ", System.lineSeparator()));
      System.err.println("options: " + String.join(" ", LoadGeneratorOptions.OPTIONS));
      System.exit(2);
      return;
    }
    ProvisionResult topics =
        TopicProvisioner.provision(
            options.bootstrapServers(), TopicSettings.defaults(options.topicPrefix()));
    if (!topics.matches()) {
      System.err.println(topics.message());
    }
    LoadGenerator generator = new LoadGenerator(options);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  generator.stop();
                  try {
                    // Let the run flush the producer and the ledger before the JVM goes.
                    generator.finished.await(30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "hourglass-load-shutdown"));
    LoadSummary summary = generator.run(System.out);
    System.exit(summary.failed() == 0 ? 0 : 1);
  }
}
