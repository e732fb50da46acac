package dev.hourglass.producer;

import dev.hourglass.avro.EventValidator;
import dev.hourglass.avro.RecordFormat;
import dev.hourglass.avro.SchemaTopic;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.avro.Violation;
import dev.hourglass.contract.Family;
import dev.hourglass.contract.Topics;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.TaskEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes Hourglass events to their topics: {@code TaskEvent} to {@code task-events}, {@code
 * AgentEvent} to {@code agent-events}, {@code IntegrationEvent} to {@code integration-events}
 * (under {@link PublisherConfig#topicPrefix()}), keyed by {@code organization_id} (UTF-8), the
 * value in Avro single-object encoding. One instance per process; it is thread-safe.
 *
 * <pre>{@code
 * try (EventPublisher publisher = EventPublisher.create(PublisherConfig.defaults("kafka:9092"))) {
 *   publisher.publish(event).whenComplete((metadata, error) -> { ... });
 * }
 * }</pre>
 *
 * <ul>
 *   <li>The first event of each type also publishes that type's writer schema to the {@code
 *       schemas} topic and waits for its acknowledgement, once per publisher: processors and sinks
 *       built before this schema version can then read the events (docs/clients.md).
 *   <li>Every event is validated first ({@link EventValidator}); an invalid one throws {@link
 *       InvalidEventException} and nothing is sent.
 *   <li>Idempotent producer, {@code acks=all}: an acknowledged event is on every in-sync replica,
 *       and retries never write it twice.
 *   <li>When {@code buffer.memory} is full, {@code publish} blocks up to {@code max.block.ms}, then
 *       the future fails with a retriable {@link PublishException} saying the buffer was full.
 *   <li>A failed future always holds a {@link PublishException}; {@link
 *       PublishException#retriable()} tells transient failures from fatal ones.
 *   <li>{@link #close()} waits until every event handed over is acknowledged or failed.
 * </ul>
 *
 * <p>Futures complete on the producer's I/O thread: dependent stages must not block (use the {@code
 * *Async} variants for slow work).
 */
public final class EventPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventPublisher.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final PublisherConfig config;
  private final Topics topics;
  private final Producer<String, byte[]> producer;
  private final EventValidator validator;
  private final RecordFormat format;
  private final Set<Family> schemaPublished = ConcurrentHashMap.newKeySet();

  private EventPublisher(
      PublisherConfig config, Producer<String, byte[]> producer, EventValidator validator) {
    this.config = config;
    this.topics = Topics.withPrefix(config.topicPrefix());
    this.producer = producer;
    this.validator = validator;
    this.format = SingleObjectFormat.standard();
  }

  /** A publisher validating with the default limits against the system clock. */
  public static EventPublisher create(PublisherConfig config) {
    return create(config, EventValidator.standard(Clock.systemUTC()));
  }

  /** A publisher validating with {@code validator}. */
  public static EventPublisher create(PublisherConfig config, EventValidator validator) {
    Map<String, Object> properties = producerProperties(config);
    LOG.info("EventPublisher starting: {}", config);
    return new EventPublisher(config, new KafkaProducer<>(properties), validator);
  }

  /** The Kafka producer settings for {@code config}. */
  static Map<String, Object> producerProperties(PublisherConfig config) {
    Map<String, Object> p = new HashMap<>(config.kafkaOverrides());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    // Unique per instance: two producers with one client.id clash on their JMX metrics.
    p.put(ProducerConfig.CLIENT_ID_CONFIG, config.clientId() + "-" + INSTANCES.incrementAndGet());
    // An event counts as sent only once every in-sync replica has it.
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // The broker drops a retried batch it already has, so a retry never doubles an event.
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // Idempotence keeps per-partition order with up to 5 requests in flight.
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, config.maxInFlight());
    // Batching and compression chosen by measurement: see PublisherConfig.DEFAULT_*.
    p.put(ProducerConfig.LINGER_MS_CONFIG, (int) config.linger().toMillis());
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, config.batchSize());
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.compression());
    // A bounded buffer: a send blocks when it is full rather than growing the heap.
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, config.bufferMemory());
    // How long a send may block on a full buffer or missing metadata before it fails.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.maxBlock().toMillis());
    // Retries are unbounded in count (Kafka's default) and bounded in time by this.
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) config.deliveryTimeout().toMillis());
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) config.requestTimeout().toMillis());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    // Values are encoded before send (single-object Avro), so the producer only sees bytes.
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /**
   * Sends a task event to {@code task-events}, keyed by its organization.
   *
   * @throws InvalidEventException when the event fails validation (nothing is sent)
   */
  public CompletableFuture<RecordMetadata> publish(TaskEvent event) {
    return validated(event);
  }

  /**
   * Sends an agent event to {@code agent-events}, keyed by its organization.
   *
   * @throws InvalidEventException when the event fails validation (nothing is sent)
   */
  public CompletableFuture<RecordMetadata> publish(AgentEvent event) {
    return validated(event);
  }

  /**
   * Sends an integration event to {@code integration-events}, keyed by its organization.
   *
   * @throws InvalidEventException when the event fails validation (nothing is sent)
   */
  public CompletableFuture<RecordMetadata> publish(IntegrationEvent event) {
    return validated(event);
  }

  private CompletableFuture<RecordMetadata> validated(SpecificRecord event) {
    Optional<Violation> violation = validator.validate(event);
    if (violation.isPresent()) {
      throw new InvalidEventException(event.getSchema().getName(), violation.get());
    }
    // The contract names the event's topic and its key: a family added there needs no edit here
    // beyond its typed publish method.
    Family family = Family.ofEvent(event);
    Optional<PublishException> unpublished = publishSchemaOnce(family, event);
    if (unpublished.isPresent()) {
      return CompletableFuture.failedFuture(unpublished.get());
    }
    return send(topics.events(family).name(), family.organizationId(event), event);
  }

  /**
   * Before this publisher's first event of a family, publishes the family's writer schema to the
   * {@code schemas} topic and waits for the acknowledgement: a processor or sink built before this
   * schema version reads the event only if the schema is there first.
   */
  private Optional<PublishException> publishSchemaOnce(Family family, SpecificRecord event) {
    if (schemaPublished.contains(family)) {
      return Optional.empty();
    }
    synchronized (schemaPublished) {
      if (schemaPublished.contains(family)) {
        return Optional.empty();
      }
      String topic = topics.schemas().name();
      try {
        SchemaTopic.publish(producer, topic, event.getSchema())
            .get(config.deliveryTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        return Optional.of(failure(topic, e.getCause()));
      } catch (java.util.concurrent.TimeoutException e) {
        return Optional.of(failure(topic, new TimeoutException(e.getMessage())));
      } catch (KafkaException | IllegalStateException e) {
        return Optional.of(failure(topic, e));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of(failure(topic, new InterruptException(e)));
      }
      schemaPublished.add(family);
      return Optional.empty();
    }
  }

  private CompletableFuture<RecordMetadata> send(String topic, String key, SpecificRecord event) {
    byte[] value;
    try {
      value = format.encode(event);
    } catch (RuntimeException e) {
      // Not expected after validation; reported like any fatal failure, never thrown.
      return CompletableFuture.failedFuture(
          new PublishException(
              "fatal failure encoding a "
                  + event.getSchema().getName()
                  + " for "
                  + topic
                  + ": "
                  + e,
              topic,
              false,
              e));
    }
    return sendBytes(topic, key, value);
  }

  private CompletableFuture<RecordMetadata> sendBytes(String topic, String key, byte[] value) {
    CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
    try {
      producer.send(
          new ProducerRecord<>(topic, key, value),
          (metadata, error) -> {
            if (error == null) {
              result.complete(metadata);
            } else {
              result.completeExceptionally(failure(topic, error));
            }
          });
    } catch (KafkaException | IllegalStateException e) {
      // Thrown rather than called back: a closed producer, an interrupt while blocked.
      result.completeExceptionally(failure(topic, e));
    }
    return result;
  }

  private PublishException failure(String topic, Throwable error) {
    if (error instanceof BufferExhaustedException) {
      return new PublishException(
          "retriable failure sending to "
              + topic
              + ": the send buffer (buffer.memory="
              + config.bufferMemory()
              + " bytes) stayed full for max.block.ms="
              + config.maxBlock().toMillis()
              + " ms; the brokers are not keeping up with the sends",
          topic,
          true,
          error);
    }
    return PublishException.of(topic, error);
  }

  /** The topic names this publisher writes to. */
  public Topics topics() {
    return topics;
  }

  /** Blocks until every event handed over so far is acknowledged or failed. */
  public void flush() {
    producer.flush();
  }

  /**
   * Waits until every event handed over is acknowledged or failed (at most {@code
   * delivery.timeout.ms}, after which Kafka has failed them), then releases the producer.
   */
  @Override
  public void close() {
    close(config.deliveryTimeout().plus(Duration.ofSeconds(5)));
  }

  /** As {@link #close()}, waiting at most {@code timeout}; unsent events then fail. */
  public void close(Duration timeout) {
    producer.close(timeout);
  }
}
