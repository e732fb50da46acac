package dev.hourglass.streams;

/** How alerts are written on the alerts topic. */
public enum AlertsFormat {
  /** Single-object Avro {@code Alert}, like every other topic. */
  AVRO,
  /**
   * One line of UTF-8 JSON per alert ({@code JsonView}), for small consumers in other languages
   * that have no Avro library at hand.
   */
  JSON
}
