package dev.hourglass.embedded;

import java.util.Set;
import org.apache.kafka.common.security.auth.AuthenticationContext;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.KafkaPrincipalBuilder;
import org.apache.kafka.common.security.auth.KafkaPrincipalSerde;
import org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder;

/**
 * Names who is on the other end: on the broker's own loopback listeners (inter-broker and
 * controller) always the broker ({@value #BROKER}, a super-user), elsewhere as Kafka does (the
 * SCRAM login on SASL_SSL, {@code ANONYMOUS} on a PLAINTEXT client listener, which gets no ACL). So
 * a PLAINTEXT client listener asked for never inherits the brokers' rights.
 */
public final class ListenerPrincipalBuilder implements KafkaPrincipalBuilder, KafkaPrincipalSerde {
  static final String BROKER = "hourglass-broker";
  static final Set<String> BROKER_LISTENERS = Set.of("INTERNAL", "CONTROLLER");

  private final DefaultKafkaPrincipalBuilder kafka = new DefaultKafkaPrincipalBuilder(null, null);

  @Override
  public KafkaPrincipal build(AuthenticationContext context) {
    if (BROKER_LISTENERS.contains(context.listenerName())) {
      return new KafkaPrincipal(KafkaPrincipal.USER_TYPE, BROKER);
    }
    return kafka.build(context);
  }

  @Override
  public byte[] serialize(KafkaPrincipal principal) {
    return kafka.serialize(principal);
  }

  @Override
  public KafkaPrincipal deserialize(byte[] bytes) {
    return kafka.deserialize(bytes);
  }
}
