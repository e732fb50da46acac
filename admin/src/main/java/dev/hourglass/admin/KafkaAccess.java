package dev.hourglass.admin;

import dev.hourglass.contract.Topic;
import dev.hourglass.contract.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * One Kafka principal per component and the least ACLs each needs, read from what each component
 * does (docs in SECURITY.md). Everything not granted here is denied by the broker's authorizer; the
 * admin principal is a super-user and needs no ACL.
 *
 * <ul>
 *   <li>{@link #PRODUCER}: writes the event topics, and its writer schemas to {@code schemas}.
 *   <li>{@link #STREAMS}: reads the event topics, writes rollups, alerts, dead letters and stats,
 *       reads and writes {@code schemas}; everything named after its application id (internal
 *       topics, consumer group, transactional ids) by prefix.
 *   <li>{@link #SINK}: reads the events, rollups, alerts and dead letters and {@code schemas}, only
 *       in its own group; writes {@code alerts} (its maintenance publishes database alerts there).
 *   <li>{@link #ALERTS}: reads {@code alerts} and {@code schemas}, in the forwarder's group or a
 *       throwaway {@code hourglass-alerts-tail-*} group.
 * </ul>
 *
 * @param topics the pipeline's topics (their prefix)
 * @param streamsApplicationId {@code streams.application.id}
 * @param sinkGroup {@code sink.group.id}
 * @param forwarderGroup {@code forwarder.group.id}
 */
public record KafkaAccess(
    Topics topics, String streamsApplicationId, String sinkGroup, String forwarderGroup) {
  public static final String PRODUCER = "hourglass-producer";
  public static final String STREAMS = "hourglass-streams";
  public static final String SINK = "hourglass-sink";
  public static final String ALERTS = "hourglass-alerts";

  /** The component principals (the admin is the broker's own). */
  public static final List<String> PRINCIPALS = List.of(PRODUCER, STREAMS, SINK, ALERTS);

  /** The prefix of the groups {@code hourglass alerts tail} makes up for each run. */
  public static final String ALERTS_TAIL_GROUP_PREFIX = "hourglass-alerts-tail-";

  /** The defaults of the components' settings, with {@code topics}. */
  public static KafkaAccess defaults(Topics topics) {
    return new KafkaAccess(
        topics, "hourglass-streams", "hourglass-sink", "hourglass-alerts-forwarder");
  }

  /** Every ACL, all of them ALLOW from any host. */
  public List<AclBinding> bindings() {
    List<AclBinding> b = new ArrayList<>();
    String schemas = topics.schemas().name();
    for (Topic<?, ?> event : topics.events()) {
      topic(b, PRODUCER, event.name(), AclOperation.WRITE);
      topic(b, STREAMS, event.name(), AclOperation.READ);
      // Its re-routed topics copy the event topic's retention and min.insync.replicas.
      literal(b, STREAMS, ResourceType.TOPIC, event.name(), AclOperation.DESCRIBE_CONFIGS);
      topic(b, SINK, event.name(), AclOperation.READ);
    }
    topic(b, PRODUCER, schemas, AclOperation.WRITE);
    for (String out :
        List.of(
            topics.rollups().name(),
            topics.alerts().name(),
            topics.deadLetters().name(),
            topics.stats().name())) {
      topic(b, STREAMS, out, AclOperation.WRITE);
    }
    topic(b, STREAMS, schemas, AclOperation.READ);
    topic(b, STREAMS, schemas, AclOperation.WRITE);
    // Internal topics (created by the processor), its group and transactional ids.
    prefixed(b, STREAMS, ResourceType.TOPIC, streamsApplicationId, AclOperation.ALL);
    prefixed(b, STREAMS, ResourceType.GROUP, streamsApplicationId, AclOperation.ALL);
    prefixed(b, STREAMS, ResourceType.TRANSACTIONAL_ID, streamsApplicationId, AclOperation.ALL);
    for (String in :
        List.of(topics.rollups().name(), topics.alerts().name(), topics.deadLetters().name())) {
      topic(b, SINK, in, AclOperation.READ);
    }
    topic(b, SINK, schemas, AclOperation.READ);
    topic(b, SINK, topics.alerts().name(), AclOperation.WRITE);
    literal(b, SINK, ResourceType.GROUP, sinkGroup, AclOperation.READ);
    topic(b, ALERTS, topics.alerts().name(), AclOperation.READ);
    topic(b, ALERTS, schemas, AclOperation.READ);
    literal(b, ALERTS, ResourceType.GROUP, forwarderGroup, AclOperation.READ);
    prefixed(b, ALERTS, ResourceType.GROUP, ALERTS_TAIL_GROUP_PREFIX, AclOperation.READ);
    return b.stream().distinct().toList();
  }

  /**
   * Creates {@link #bindings()} with {@code admin} (a super-user): creating an existing ACL again
   * changes nothing, so this runs at every start.
   */
  public void apply(Admin admin) {
    try {
      admin.createAcls(bindings()).all().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create the ACLs: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the broker did not create the ACLs within 60 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the ACLs", e);
    }
  }

  /** READ or WRITE on a topic, and DESCRIBE with it (metadata, offsets). */
  private static void topic(List<AclBinding> b, String principal, String name, AclOperation op) {
    literal(b, principal, ResourceType.TOPIC, name, op);
    literal(b, principal, ResourceType.TOPIC, name, AclOperation.DESCRIBE);
  }

  private static void literal(
      List<AclBinding> b, String principal, ResourceType type, String name, AclOperation op) {
    b.add(binding(principal, new ResourcePattern(type, name, PatternType.LITERAL), op));
  }

  private static void prefixed(
      List<AclBinding> b, String principal, ResourceType type, String prefix, AclOperation op) {
    b.add(binding(principal, new ResourcePattern(type, prefix, PatternType.PREFIXED), op));
  }

  private static AclBinding binding(String principal, ResourcePattern pattern, AclOperation op) {
    return new AclBinding(
        pattern, new AccessControlEntry("User:" + principal, "*", op, AclPermissionType.ALLOW));
  }
}
