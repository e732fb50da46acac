package dev.hourglass.embedded;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives an integration test a real Kafka broker and a real PostgreSQL server: declare a {@link
 * TestKafka} or {@link TestDatabase} parameter on a test, {@code @BeforeEach} or constructor.
 *
 * <p>The servers start once per test JVM (see {@code HOURGLASS_TEST_BACKEND}); each test method
 * gets its own topic prefix and its own database, so tests run in any order.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(BackendExtension.class)
public @interface HourglassIT {}
