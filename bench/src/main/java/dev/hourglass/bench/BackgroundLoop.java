package dev.hourglass.bench;

/**
 * A benchmark's helper thread (a sampler, a poller, a consumer): a daemon that runs its body until
 * {@link #close()} stops and joins it. What ended the body early is kept for its owner to rethrow
 * with {@link #check(String)}, so that a failed helper fails the benchmark instead of leaving a
 * series short.
 */
final class BackgroundLoop implements AutoCloseable {
  /** The thread's work: it repeats while {@link BackgroundLoop#running()}. */
  interface Body {
    void run(BackgroundLoop loop) throws InterruptedException;
  }

  private final Thread thread;
  private volatile boolean running = true;
  private volatile RuntimeException failure;

  private BackgroundLoop(String name, Body body) {
    thread =
        new Thread(
            () -> {
              try {
                body.run(this);
              } catch (InterruptedException e) {
                // Interrupted: ends as when closed.
              } catch (RuntimeException e) {
                failure = e;
              }
            },
            name);
    thread.setDaemon(true);
  }

  /** Runs {@code body} on a new daemon thread named {@code name}. */
  static BackgroundLoop start(String name, Body body) {
    BackgroundLoop loop = new BackgroundLoop(name, body);
    loop.thread.start();
    return loop;
  }

  /** False once {@link #close()} was called: the body's loop condition. */
  boolean running() {
    return running;
  }

  /** Rethrows what ended the body, if anything did, as {@code "<what> failed: <cause>"}. */
  void check(String what) {
    RuntimeException cause = failure;
    if (cause != null) {
      throw new IllegalStateException(what + " failed: " + cause, cause);
    }
  }

  /** Stops the loop and waits up to 10 s for its thread to end. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
