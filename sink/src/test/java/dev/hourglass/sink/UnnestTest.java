package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnnestTest {

  @Test
  void shouldPrepareColumnsAsPrimitiveArraysWhenTheyHoldNoNulls() {
    Unnest rows = new Unnest().col("id", "text").col("n", "int8").col("x", "float8");
    rows.row("a", 1L, 0.5);
    rows.row("b", 2L, null);

    Object[] columns = rows.columns();

    assertThat((String[]) columns[0]).containsExactly("a", "b");
    assertThat((long[]) columns[1]).containsExactly(1L, 2L);
    assertThat((Double[]) columns[2]).containsExactly(0.5, null);
  }

  @Test
  void shouldReusePreparedColumnsUntilARowIsAdded() {
    Unnest rows = new Unnest().col("n", "int8");
    rows.row(1L);
    Object[] prepared = rows.columns();
    assertThat(rows.columns()).isSameAs(prepared);

    rows.row(2L);

    assertThat((long[]) rows.columns()[0]).containsExactly(1L, 2L);
  }
}
