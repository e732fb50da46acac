package dev.hourglass.config;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The validators Kafka's {@link ConfigDef} does not have, with messages that say the rule. They
 * throw Kafka's ConfigException, as {@link ConfigDef.Validator} must; {@link Declarations#parse}
 * turns it into one line of its own {@link ConfigException}.
 */
public final class Validators {
  private Validators() {}

  /** The whole text matches {@code regex}; otherwise the message is {@code why}. */
  public static ConfigDef.Validator matching(String regex, String why) {
    Pattern pattern = Pattern.compile(regex);
    return ConfigDef.LambdaValidator.with(
        (key, value) -> {
          if (value == null || !pattern.matcher((String) value).matches()) {
            throw new org.apache.kafka.common.config.ConfigException(key, value, why);
          }
        },
        () -> why);
  }

  /** One of {@code options}, in any case (the component reads it in lower case). */
  public static ConfigDef.Validator oneOf(String... options) {
    List<String> allowed = List.of(options);
    String why = "must be one of " + String.join(", ", allowed);
    return ConfigDef.LambdaValidator.with(
        (key, value) -> {
          if (value == null || !allowed.contains(((String) value).toLowerCase(Locale.ROOT))) {
            throw new org.apache.kafka.common.config.ConfigException(key, value, why);
          }
        },
        () -> String.join(", ", allowed));
  }
}
