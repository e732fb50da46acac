package dev.hourglass.cli;

/** Configuration the CLI cannot use; the message names every bad key. Exit code 2. */
final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ConfigException(String message) {
    super(message);
  }
}
