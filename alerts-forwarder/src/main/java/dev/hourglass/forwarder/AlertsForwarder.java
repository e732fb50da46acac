package dev.hourglass.forwarder;

import dev.hourglass.avro.BadRecordException;
import dev.hourglass.contract.AlertsFormat;
import dev.hourglass.rollups.Alert;
import dev.hourglass.rollups.AlertState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the alerts topic and posts every alert to Alertmanager, committing a partition's offset
 * only after Alertmanager accepted the alerts before it, so a restart or a crash sends again what
 * may not have arrived and skips nothing (Alertmanager merges an alert sent twice by its labels).
 *
 * <p>Alertmanager forgets a firing alert whose {@code endsAt} passes, so the alerts still firing
 * are sent again every {@code forwarder.resend.interval.ms}. Which alerts are firing is rebuilt
 * after each assignment by reading the partition from its beginning up to the committed offset
 * without sending (a FIRING not followed by its RESOLVED is firing), then sending that set once.
 * Alertmanager down or answering 5xx: the same request again, with exponential backoff, the
 * partitions paused but the consumer polling so that it stays in its group.
 */
final class AlertsForwarder implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(AlertsForwarder.class);
  private static final Duration POLL = Duration.ofMillis(500);

  private final ForwarderConfig config;
  private final AlertmanagerClient client;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String topic;

  /** Per assigned partition, its firing alerts by identity (rule, key, hour). */
  private final Map<TopicPartition, Map<String, Alert>> firing = new HashMap<>();

  /** Per assigned partition, the committed offset: records before it are replayed, not sent. */
  private final Map<TopicPartition, Long> replayUntil = new HashMap<>();

  private volatile boolean running = true;
  private long nextResendNanos;

  AlertsForwarder(ForwarderConfig config) {
    this.config = config;
    this.client = new AlertmanagerClient(config.alertmanagerUrl(), config.requestTimeout());
    this.topic = config.alertsTopic();
    this.consumer =
        new KafkaConsumer<>(
            consumerProperties(config), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  static Properties consumerProperties(ForwarderConfig config) {
    Properties p = new Properties();
    // How to authenticate (kafka.*), first: the settings below are the forwarder's own.
    p.putAll(config.kafkaClient());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    // Alerts of aborted processor transactions never happened.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // Offsets are committed by hand, only once Alertmanager accepted what precedes them.
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // A new group forwards every alert the topic holds: nothing raised before the first start is
    // lost (alerts resolved long ago arrive resolved).
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return p;
  }

  /** Stops {@link #run()} at its next poll or wait. */
  void stop() {
    running = false;
    consumer.wakeup();
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(topic), new Replay());
      while (running) {
        forward(consumer.poll(POLL));
        if (System.nanoTime() - nextResendNanos >= 0 && replayDone()) {
          List<Alert> all = new ArrayList<>();
          firing.values().forEach(m -> all.addAll(m.values()));
          if (!all.isEmpty()) {
            deliver(all, "resend of " + all.size() + " firing alerts");
          }
          nextResendNanos = System.nanoTime() + config.resendInterval().toNanos();
        }
      }
    } catch (WakeupException e) {
      if (running) {
        throw e;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      consumer.close();
    }
  }

  private void forward(Iterable<ConsumerRecord<byte[], byte[]>> records)
      throws InterruptedException {
    List<Alert> toSend = new ArrayList<>();
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      Alert alert;
      try {
        alert = AlertsFormat.decode(r.topic(), r.value());
      } catch (BadRecordException e) {
        // Not an alert: nothing Alertmanager could take. The dead-letter path is the processor's.
        LOG.error("Skipping unreadable record {} at offset {}: {}", tp, r.offset(), e.getMessage());
        commit.put(tp, new OffsetAndMetadata(r.offset() + 1));
        continue;
      }
      Map<String, Alert> active = firing.computeIfAbsent(tp, k -> new LinkedHashMap<>());
      String identity = identity(alert);
      if (alert.getState() == AlertState.FIRING) {
        active.put(identity, alert);
      } else {
        active.remove(identity);
      }
      if (r.offset() >= replayUntil.getOrDefault(tp, 0L)) {
        toSend.add(alert);
        commit.put(tp, new OffsetAndMetadata(r.offset() + 1));
      }
    }
    if (!toSend.isEmpty() && !deliver(toSend, toSend.size() + " new alerts")) {
      return; // stopping before Alertmanager took them: the next start sends them again
    }
    if (!commit.isEmpty()) {
      try {
        consumer.commitSync(commit);
      } catch (CommitFailedException e) {
        // The partitions moved to another instance, which reads from the last commit and sends
        // these again: Alertmanager takes a repeated alert as the same one.
        LOG.warn("Offsets not committed (partitions reassigned): {}", e.getMessage());
      }
    }
  }

  /**
   * Posts {@code alerts} until Alertmanager accepts them, waiting longer after each failure.
   *
   * @return false if the forwarder stopped first
   */
  private boolean deliver(Collection<Alert> alerts, String what) throws InterruptedException {
    long backoff = config.initialBackoff().toMillis();
    for (int attempt = 1; running; attempt++) {
      byte[] body =
          AlertmanagerAlerts.body(alerts, Instant.now(), config.resendInterval().toMillis());
      AlertmanagerClient.Result result = client.post(body);
      switch (result.outcome()) {
        case ACCEPTED -> {
          if (attempt > 1) {
            LOG.info("Alertmanager accepted {} at attempt {}", what, attempt);
          }
          return true;
        }
        case REFUSED -> {
          // Resending a request Alertmanager calls malformed would stop forwarding for good.
          LOG.error("Alertmanager refused {}, not resent: {}", what, result.detail());
          return true;
        }
        case RETRY -> {
          LOG.warn(
              "Alertmanager did not take {} (attempt {}, next in {} ms): {}",
              what,
              attempt,
              backoff,
              result.detail());
          waitPolling(Duration.ofMillis(backoff));
          backoff = Math.min(backoff * 2, config.maxBackoff().toMillis());
        }
      }
    }
    return false;
  }

  /** Waits while polling paused partitions, so the consumer stays in its group meanwhile. */
  private void waitPolling(Duration wait) {
    Set<TopicPartition> assigned = consumer.assignment();
    consumer.pause(assigned);
    try {
      long end = System.nanoTime() + wait.toNanos();
      while (running && System.nanoTime() < end) {
        long left = Math.max(1, (end - System.nanoTime()) / 1_000_000);
        consumer.poll(Duration.ofMillis(Math.min(left, POLL.toMillis())));
      }
    } finally {
      consumer.resume(consumer.assignment());
    }
  }

  private boolean replayDone() {
    for (TopicPartition tp : consumer.assignment()) {
      if (consumer.position(tp) < replayUntil.getOrDefault(tp, 0L)) {
        return false;
      }
    }
    return true;
  }

  static String identity(Alert a) {
    return a.getRule()
        + "|"
        + a.getOrganizationId()
        + "|"
        + a.getEntityKey()
        + "|"
        + a.getWindowStart().toEpochMilli();
  }

  /** On assignment: replay each partition from its beginning to rebuild what is firing. */
  private final class Replay implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      Map<TopicPartition, OffsetAndMetadata> committed =
          consumer.committed(new HashSet<>(partitions));
      for (TopicPartition tp : partitions) {
        OffsetAndMetadata c = committed.get(tp);
        replayUntil.put(tp, c == null ? 0L : c.offset());
        firing.put(tp, new LinkedHashMap<>());
      }
      consumer.seekToBeginning(partitions);
      // The firing set goes out once the replay reaches the committed offsets.
      nextResendNanos = System.nanoTime();
      LOG.info("Assigned {}; replaying up to the committed offsets {}", partitions, replayUntil);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        firing.remove(tp);
        replayUntil.remove(tp);
      }
    }
  }
}
