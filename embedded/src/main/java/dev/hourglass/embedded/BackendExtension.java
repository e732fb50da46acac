package dev.hourglass.embedded;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves {@link TestKafka} and {@link TestDatabase} parameters. The backend lives in the root
 * store (one per JVM, closed when the JVM's tests end); databases live in the store of the test
 * that asked for them and are dropped when it ends.
 */
final class BackendExtension implements ParameterResolver {
  private static final Logger LOG = LoggerFactory.getLogger(BackendExtension.class);
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(BackendExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == TestKafka.class || type == TestDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Backend backend = backend(context);
    ExtensionContext.Store store = context.getStore(NS);
    String id = store.getOrComputeIfAbsent("id", k -> newId(context), String.class);
    if (parameter.getParameter().getType() == TestKafka.class) {
      return store.getOrComputeIfAbsent(
          TestKafka.class, k -> new TestKafka(backend.bootstrapServers(), id), TestKafka.class);
    }
    return store
        .getOrComputeIfAbsent(
            OwnedDatabase.class, k -> OwnedDatabase.create(backend, id), OwnedDatabase.class)
        .database();
  }

  private static Backend backend(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NS)
        .getOrComputeIfAbsent(
            Backend.class,
            k -> {
              Backend started = BackendChoice.fromEnvironment(System.getenv()).start();
              LOG.info("integration tests run on {}", started.describe());
              return started;
            },
            Backend.class);
  }

  private static String newId(ExtensionContext context) {
    String method = context.getTestMethod().map(m -> m.getName()).orElse(context.getDisplayName());
    String clean = method.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    String head = clean.substring(0, Math.min(clean.length(), 40));
    return "t_" + head + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A database created for one test and dropped (connections and all) when the test ends. */
  record OwnedDatabase(Backend backend, TestDatabase database) implements AutoCloseable {
    static OwnedDatabase create(Backend backend, String name) {
      admin(backend, "CREATE DATABASE " + name);
      return new OwnedDatabase(
          backend,
          new TestDatabase(name, backend.jdbcUrl(name), backend.user(), backend.password()));
    }

    @Override
    public void close() {
      admin(backend, "DROP DATABASE IF EXISTS " + database.name() + " WITH (FORCE)");
    }

    private static void admin(Backend backend, String sql) {
      Properties props = new Properties();
      props.setProperty("user", backend.user());
      props.setProperty("password", backend.password());
      try (Connection c = DriverManager.getConnection(backend.jdbcUrl("postgres"), props);
          Statement s = c.createStatement()) {
        s.execute(sql);
      } catch (SQLException e) {
        throw new ParameterResolutionException("cannot run '" + sql + "': " + e.getMessage(), e);
      }
    }
  }
}
