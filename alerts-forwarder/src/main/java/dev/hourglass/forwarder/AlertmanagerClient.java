package dev.hourglass.forwarder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** {@code POST /api/v2/alerts} with the JDK's HTTP client. */
final class AlertmanagerClient {
  private final HttpClient http;
  private final URI alerts;
  private final Duration timeout;

  AlertmanagerClient(URI base, Duration timeout) {
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    this.alerts = URI.create(base + "/api/v2/alerts");
    this.timeout = timeout;
  }

  /** What became of one request. */
  enum Outcome {
    ACCEPTED,
    /** Unreachable, timed out, or a 5xx or 429: try again later. */
    RETRY,
    /** A 4xx other than 429: the request itself is wrong, and resending it will not help. */
    REFUSED
  }

  /** The outcome and, unless accepted, why. */
  record Result(Outcome outcome, String detail) {}

  Result post(byte[] body) throws InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(alerts)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    try {
      HttpResponse<String> response =
          http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      int status = response.statusCode();
      if (status / 100 == 2) {
        return new Result(Outcome.ACCEPTED, "");
      }
      String detail = "HTTP " + status + " from " + alerts + ": " + response.body().strip();
      return new Result(status == 429 || status >= 500 ? Outcome.RETRY : Outcome.REFUSED, detail);
    } catch (IOException e) {
      return new Result(Outcome.RETRY, alerts + " unreachable: " + e);
    }
  }
}
