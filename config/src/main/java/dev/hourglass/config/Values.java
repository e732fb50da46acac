package dev.hourglass.config;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings that {@link Declarations#parse} found valid, typed as declared. Asking for a key that
 * was not declared is a programming error ({@link IllegalArgumentException}), never a configuration
 * one.
 */
public final class Values {
  private final Map<String, Object> parsed;
  private final Map<String, String> passed;

  Values(Map<String, Object> parsed, Map<String, String> passed) {
    this.parsed = parsed;
    this.passed = passed;
  }

  /** A STRING or PASSWORD key. */
  public String getString(String key) {
    Object value = value(key);
    return value instanceof Password password ? password.value() : (String) value;
  }

  public short getShort(String key) {
    return (Short) value(key);
  }

  public int getInt(String key) {
    return (Integer) value(key);
  }

  public boolean getBoolean(String key) {
    return (Boolean) value(key);
  }

  public long getLong(String key) {
    return (Long) value(key);
  }

  /** A LONG key named {@code *.ms}: every duration is a number of milliseconds. */
  public Duration getDuration(String key) {
    if (!key.endsWith(".ms")) {
      throw new IllegalArgumentException(key + " is not a duration: durations are *.ms keys");
    }
    return Duration.ofMillis(getLong(key));
  }

  /** The settings under an open prefix, without it, sorted by key. */
  public Map<String, String> passThrough(String prefix) {
    Map<String, String> out = new TreeMap<>();
    passed.forEach(
        (key, value) -> {
          if (key.startsWith(prefix)) {
            out.put(key.substring(prefix.length()), value);
          }
        });
    return out;
  }

  private Object value(String key) {
    Object value = parsed.get(key);
    if (value == null) {
      throw new IllegalArgumentException(key + " has no valid value here (not declared?)");
    }
    return value;
  }
}
