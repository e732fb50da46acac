package dev.hourglass.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.schema.PipelineTotals.RollupRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerBooksTest {
  private static final Instant TEN = Instant.parse("2026-01-05T10:00:00Z");
  private static final Instant ELEVEN = Instant.parse("2026-01-05T11:00:00Z");

  private static String task(String id, Instant at, String kind, String injected) {
    return "{\"event_id\":\""
        + id
        + "\",\"type\":\"task\",\"organization_id\":\"o1\","
        + "\"entity_key\":\"t1\",\"occurred_at\":"
        + at.toEpochMilli()
        + ",\"kind\":\""
        + kind
        + "\",\"injected\":\""
        + injected
        + "\"}";
  }

  private static RollupRow row(Instant hour, long events, long created, long started) {
    return new RollupRow(
        "task",
        "o1",
        "t1",
        hour,
        Map.of(
            "event_count", events,
            "created_count", created,
            "started_count", started,
            "completed_count", 0L,
            "failed_count", 0L));
  }

  private static LedgerBooks books(Path dir) throws IOException {
    Path ledger = dir.resolve("ledger.jsonl");
    Files.write(
        ledger,
        List.of(
            task("a", TEN.plusSeconds(60), "CREATED", "none"),
            task("a", TEN.plusSeconds(60), "CREATED", "duplicate"),
            task("b", TEN.plusSeconds(120), "STARTED", "late"),
            task("c", ELEVEN.plusSeconds(5), "STARTED", "none")));
    return LedgerBooks.read(ledger);
  }

  @Test
  void shouldCountTheLastHoursRowsAsQuietWindowsClosedOnlyWhenWritten(@TempDir Path dir)
      throws IOException {
    LedgerBooks books = books(dir);

    LedgerBooks.Exactness open = books.compare(List.of(row(TEN, 2, 1, 1)), Set.of());
    LedgerBooks.Exactness closed =
        books.compare(List.of(row(TEN, 2, 1, 1), row(ELEVEN, 1, 0, 1)), Set.of());

    assertThat(books.acknowledged()).isEqualTo(4);
    assertThat(books.countable()).isEqualTo(3);
    assertThat(open.quietRows()).isEqualTo(1);
    assertThat(open.quietRowsWritten()).isZero();
    assertThat(open.quietWindowsClosed()).isFalse();
    assertThat(open.eventsLost()).isEqualTo(1);
    assertThat(closed.quietRowsWritten()).isEqualTo(1);
    assertThat(closed.quietWindowsClosed()).isTrue();
    assertThat(closed.exact()).isTrue();
  }

  @Test
  void shouldCountADuplicateCountedTwiceAsExtra(@TempDir Path dir) throws IOException {
    LedgerBooks.Exactness twice =
        books(dir).compare(List.of(row(TEN, 3, 2, 1), row(ELEVEN, 1, 0, 1)), Set.of());

    assertThat(twice.eventsExtra()).isEqualTo(1);
    assertThat(twice.rowsWrong()).isEqualTo(1);
    assertThat(twice.eventsLost()).isZero();
  }

  @Test
  void shouldCountALateEventInItsRowAsCorrectedAndASecondSendNotCountedAsSuppressed(
      @TempDir Path dir) throws IOException {
    LedgerBooks.Exactness x =
        books(dir).compare(List.of(row(TEN, 2, 1, 1), row(ELEVEN, 1, 0, 1)), Set.of());

    assertThat(x.late()).isEqualTo(new LedgerBooks.LateEvents(1, 0, 0, 0));
    assertThat(x.duplicates()).isEqualTo(new LedgerBooks.Duplicates(1, 0, 0, 0));
  }

  @Test
  void shouldCountALateEventMissingFromItsRowAsDroppedAndADuplicateInItAsCountedTwice(
      @TempDir Path dir) throws IOException {
    LedgerBooks.Exactness x =
        books(dir).compare(List.of(row(TEN, 2, 2, 0), row(ELEVEN, 1, 0, 1)), Set.of());

    assertThat(x.late()).isEqualTo(new LedgerBooks.LateEvents(0, 1, 0, 0));
    assertThat(x.duplicates()).isEqualTo(new LedgerBooks.Duplicates(0, 1, 0, 0));
  }

  @Test
  void shouldCountAnUncountedLateEventAmongTheDeadLettersAsDeadLettered(@TempDir Path dir)
      throws IOException {
    // The test ledger's lines carry no position: each reads as topic "", partition 0, offset 0.
    LedgerBooks.Exactness x =
        books(dir)
            .compare(
                List.of(row(TEN, 1, 1, 0), row(ELEVEN, 1, 0, 1)),
                Set.of(LedgerBooks.position("", 0, 0)));

    assertThat(x.late()).isEqualTo(new LedgerBooks.LateEvents(0, 0, 1, 0));
    assertThat(x.duplicates()).isEqualTo(new LedgerBooks.Duplicates(1, 0, 0, 0));
  }

  @Test
  void shouldCountADuplicateWhoseRowIsAbsentAsRowLost(@TempDir Path dir) throws IOException {
    LedgerBooks.Exactness x = books(dir).compare(List.of(row(ELEVEN, 1, 0, 1)), Set.of());

    assertThat(x.late()).isEqualTo(new LedgerBooks.LateEvents(0, 1, 0, 0));
    assertThat(x.duplicates()).isEqualTo(new LedgerBooks.Duplicates(0, 0, 1, 0));
  }

  @Test
  void shouldCallARowNoAccountExplainsUnclear(@TempDir Path dir) throws IOException {
    LedgerBooks.Exactness x =
        books(dir).compare(List.of(row(TEN, 5, 4, 1), row(ELEVEN, 1, 0, 1)), Set.of());

    assertThat(x.late()).isEqualTo(new LedgerBooks.LateEvents(0, 0, 0, 1));
    assertThat(x.duplicates()).isEqualTo(new LedgerBooks.Duplicates(0, 0, 0, 1));
  }

  @Test
  void shouldTakeTheAccountWithTheMostLateEventsCountedWhenTheSumsCannotTell(@TempDir Path dir)
      throws IOException {
    Path ledger = dir.resolve("same.jsonl");
    Files.write(
        ledger,
        List.of(
            task("a", TEN.plusSeconds(60), "CREATED", "none"),
            task("a", TEN.plusSeconds(60), "CREATED", "duplicate"),
            task("b", TEN.plusSeconds(120), "CREATED", "late")));

    // Two created events: the late one counted and the duplicate not, or the other way round.
    LedgerBooks.Exactness x =
        LedgerBooks.read(ledger).compare(List.of(row(TEN, 2, 2, 0)), Set.of());

    assertThat(x.exact()).isTrue();
    assertThat(x.late()).isEqualTo(new LedgerBooks.LateEvents(1, 0, 0, 0));
    assertThat(x.duplicates()).isEqualTo(new LedgerBooks.Duplicates(1, 0, 0, 0));
  }
}
