package dev.hourglass.bench.peers;

import java.util.Map;

/**
 * One pipeline of {@code hourglass bench peers}, running: it reads the event topics it was started
 * on and keeps hourly rollup rows in PostgreSQL, in tables the benchmark reads through {@link
 * #jdbcUrl()}.
 */
public interface Peer extends AutoCloseable {
  /** A short name for tables and JSON: hourglass, streams-suppress, ... */
  String name();

  /** The JDBC URL under which its rollup tables are the unqualified ones. */
  String jdbcUrl();

  /** Records it set aside (dead-lettered), by where they went; read now. */
  Map<String, Long> deadLetters();

  /** Throws when a component has stopped with an error. */
  void check();

  /**
   * Stops the component that writes PostgreSQL mid-run and starts a new one in its place, as a
   * supervisor restarts a process that died. In one JVM this is its own stop, not a SIGKILL: what
   * the component commits while stopping, it commits.
   */
  void restartSink();

  @Override
  void close();
}
