package dev.hourglass.embedded;

/** An embedded server could not be started, reached or stopped; the message says which and why. */
public final class EmbeddedServerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EmbeddedServerException(String message, Throwable cause) {
    super(message, cause);
  }

  public EmbeddedServerException(String message) {
    super(message);
  }
}
