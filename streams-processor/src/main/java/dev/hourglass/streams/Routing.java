package dev.hourglass.streams;

import dev.hourglass.contract.Family;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.utils.Utils;

/**
 * Where each organization's events are counted, and where a record that arrived on another
 * partition goes instead (docs/contracts.md, "Misrouted records").
 *
 * <p>An organization's windows live in the task of the partition that Kafka's default partitioner
 * maps its key to: {@code toPositive(murmur2(UTF-8 organization_id)) % partitions}. A producer with
 * another partitioner (librdkafka's default, crc32) may write the organization's events elsewhere;
 * the task that receives such a record forwards it, inside its exactly-once transaction, to {@link
 * #reroutedTopic} (as many partitions as the event topic), whose partition of that number is read
 * by the owning task.
 *
 * @param applicationId the Kafka Streams application id, which prefixes the rerouted topics as it
 *     prefixes changelogs (the application reset tool deletes them with the other internal topics)
 * @param partitions the partition count of each family's event topic
 */
public record Routing(String applicationId, Map<Family, Integer> partitions) {
  public Routing {
    Objects.requireNonNull(applicationId, "applicationId");
    EnumMap<Family, Integer> copy = new EnumMap<>(Family.class);
    for (Family family : Family.values()) {
      Integer n = partitions.get(family);
      if (n == null || n < 1) {
        throw new IllegalArgumentException(
            "Invalid value " + n + " for the partition count of " + family.id() + " events");
      }
      copy.put(family, n);
    }
    partitions = Map.copyOf(copy);
  }

  /** Every event topic with {@code n} partitions. */
  public static Routing uniform(String applicationId, int n) {
    Map<Family, Integer> all = new EnumMap<>(Family.class);
    for (Family family : Family.values()) {
      all.put(family, n);
    }
    return new Routing(applicationId, all);
  }

  public int partitions(Family family) {
    return partitions.get(family);
  }

  /** The internal topic a misrouted record of {@code family} is forwarded through. */
  public String reroutedTopic(Family family) {
    return reroutedTopic(applicationId, family);
  }

  public static String reroutedTopic(String applicationId, Family family) {
    return applicationId + "-" + family.id() + "-rerouted-repartition";
  }

  /** The partition Kafka's default partitioner gives a record with these key bytes. */
  public static int owner(byte[] key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key)) % partitions;
  }
}
