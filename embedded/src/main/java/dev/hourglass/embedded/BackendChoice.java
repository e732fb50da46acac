package dev.hourglass.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which backend integration tests use, read once from the environment.
 *
 * <ul>
 *   <li>{@code HOURGLASS_TEST_BACKEND=auto} (default): Testcontainers when a Docker engine answers,
 *       otherwise embedded.
 *   <li>{@code embedded}, {@code testcontainers}: that one, whatever else is there.
 *   <li>{@code external}: {@code HOURGLASS_TEST_KAFKA} and {@code HOURGLASS_TEST_DB} name them.
 * </ul>
 */
record BackendChoice(Kind kind, String externalKafka, String externalDb) {
  enum Kind {
    AUTO,
    EMBEDDED,
    TESTCONTAINERS,
    EXTERNAL
  }

  static final String BACKEND = "HOURGLASS_TEST_BACKEND";
  static final String KAFKA = "HOURGLASS_TEST_KAFKA";
  static final String DB = "HOURGLASS_TEST_DB";

  BackendChoice {
    List<String> problems = new ArrayList<>();
    if (kind == Kind.EXTERNAL) {
      if (externalKafka == null || externalKafka.isBlank()) {
        problems.add(KAFKA + " must name host:port when " + BACKEND + "=external");
      }
      if (externalDb == null || !externalDb.startsWith("jdbc:postgresql://")) {
        problems.add(
            "Invalid value "
                + externalDb
                + " for "
                + DB
                + ": must be a jdbc:postgresql:// URL when "
                + BACKEND
                + "=external");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  static BackendChoice fromEnvironment(Map<String, String> env) {
    String raw = env.getOrDefault(BACKEND, "");
    Kind kind;
    if (raw.isBlank()) {
      kind = Kind.AUTO;
    } else {
      try {
        kind = Kind.valueOf(raw.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "Invalid value "
                + raw
                + " for "
                + BACKEND
                + ": must be one of auto, embedded, testcontainers, external",
            e);
      }
    }
    return new BackendChoice(kind, env.get(KAFKA), env.get(DB));
  }

  Backend start() {
    return switch (kind) {
      case EMBEDDED -> new EmbeddedBackend();
      case TESTCONTAINERS -> new ContainerBackend();
      case EXTERNAL -> new ExternalBackend(externalKafka, externalDb);
      case AUTO -> dockerPresent() ? new ContainerBackend() : new EmbeddedBackend();
    };
  }

  private static boolean dockerPresent() {
    try {
      Class.forName("org.testcontainers.DockerClientFactory");
    } catch (ClassNotFoundException e) {
      return false;
    }
    return ContainerBackend.dockerAvailable();
  }
}
