package dev.hourglass.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlTest {
  @Test
  void shouldWriteAHistogramAsPostgresArrayText() {
    assertThat(Sql.histogram(List.of(0L, 12L, -3L, Long.MAX_VALUE)))
        .isEqualTo("{0,12,-3,9223372036854775807}");
    assertThat(Sql.histogram(new long[] {5L, 0L, 0L})).isEqualTo("{5,0,0}");
  }

  @Test
  void shouldWriteAnEmptyHistogramAsAnEmptyArray() {
    assertThat(Sql.histogram(List.of())).isEqualTo("{}");
    assertThat(Sql.histogram(new long[0])).isEqualTo("{}");
  }
}
