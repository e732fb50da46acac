package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class UnnestTest {
  private record Row(String id, Long n, Double x, Integer p, Boolean b) {}

  private static final Unnest<Row> COLUMNS =
      new Unnest<Row>()
          .col("id", "text", Row::id)
          .col("n", "int8", Row::n)
          .col("x", "float8", Row::x)
          .col("p", "int4", Row::p)
          .col("b", "bool", Row::b);

  @Test
  void shouldNameEveryColumnInTheUnnestClause() {
    assertThat(COLUMNS.from())
        .isEqualTo(
            "unnest(?::text[], ?::int8[], ?::float8[], ?::int4[], ?::bool[]) AS u(id, n, x, p, b)");
    assertThat(COLUMNS.width()).isEqualTo(5);
  }

  @Test
  void shouldPrepareColumnsAsPrimitiveArraysWhenTheyHoldNoNulls() {
    Unnest.Rows rows =
        COLUMNS.rows(List.of(new Row("a", 1L, 0.5, 7, true), new Row("b", 2L, null, null, null)));

    assertThat(rows.size()).isEqualTo(2);
    assertThat((String[]) rows.column("id")).containsExactly("a", "b");
    assertThat((long[]) rows.column("n")).containsExactly(1L, 2L);
    assertThat((Double[]) rows.column("x")).containsExactly(0.5, null);
    assertThat((Integer[]) rows.column("p")).containsExactly(7, null);
    assertThat((Boolean[]) rows.column("b")).containsExactly(true, null);
  }

  @Test
  void shouldGiveEmptyArraysForNoRows() {
    Unnest.Rows rows = COLUMNS.rows(List.of());

    assertThat(rows.isEmpty()).isTrue();
    assertThat((long[]) rows.column("n")).isEmpty();
  }

  @Test
  void shouldRefuseAColumnItDoesNotHave() {
    Unnest.Rows rows = COLUMNS.rows(List.of());

    assertThatThrownBy(() -> rows.column("nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no column nope in [id, n, x, p, b]");
  }
}
