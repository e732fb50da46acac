package dev.hourglass.embedded;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Starts PostgreSQL on the data directory given as its argument, prints {@code READY <port> <server
 * pid>} and waits to be killed: the JVM that a test kills with SIGKILL, leaving its server running,
 * as an operator's killed {@code hourglass local} would.
 */
final class OrphaningPostgres {
  private OrphaningPostgres() {}

  public static void main(String[] args) throws InterruptedException {
    EmbeddedPostgres pg =
        EmbeddedPostgres.start(EmbeddedPostgres.Options.persistent(Path.of(args[0]), 0));
    System.out.println("READY " + pg.port() + " " + pg.serverPid());
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
