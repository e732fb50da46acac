package dev.hourglass.bench.peers;

import java.util.Map;
import java.util.Set;

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

  /**
   * Whether it has read every record of its input so far, where it can tell; the benchmark waits
   * for PostgreSQL to settle only from then on (a restored Flink job re-reads its input first).
   */
  default boolean caughtUp() {
    return true;
  }

  /**
   * Where each record it set aside was read, as {@link LedgerBooks#position}: the late events among
   * them count as dead-lettered, not dropped.
   */
  Set<String> deadLetterPositions();

  /** Throws when a component has stopped with an error. */
  void check();

  /**
   * SIGKILLs the process of the component that writes PostgreSQL mid-run and starts a new one in
   * its place, as a supervisor restarts a process that died: nothing it would do on shutdown
   * happens.
   */
  void restartSink();

  @Override
  void close();
}
