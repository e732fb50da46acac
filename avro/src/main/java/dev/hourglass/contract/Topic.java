package dev.hourglass.contract;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A topic with the serdes of its keys and values, built once and passed in, so that a name and its
 * format never drift apart. {@link Topics} builds the pipeline's seven.
 */
public record Topic<K, V>(String name, Serde<K> keys, Serde<V> values) {
  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(values, "values");
  }
}
