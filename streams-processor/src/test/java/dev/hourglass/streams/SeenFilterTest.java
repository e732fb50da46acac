package dev.hourglass.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SeenFilterTest {

  @Test
  void shouldSayMaybeForEveryIdAddedEvenAfterItsFiltersDoubled() {
    SeenFilter filter = new SeenFilter(1_000, 1 << 12);
    for (int i = 0; i < 100_000; i++) {
      filter.add("event-" + i, 500);
    }
    int maybe = 0;
    for (int i = 0; i < 100_000; i++) {
      if (filter.mightContain("event-" + i, 0)) {
        maybe++;
      }
    }
    assertThat(maybe).isEqualTo(100_000);
    // 4,096 bits first (256 ids), doubling: nine filters, 4,096 to 1,048,576 bits.
    assertThat(filter.bytes()).isEqualTo(261_632);
  }

  @Test
  void shouldSayNewForAlmostEveryIdNeverAdded() {
    SeenFilter filter = new SeenFilter(1_000, 1 << 12);
    for (int i = 0; i < 100_000; i++) {
      filter.add("event-" + i, 500);
    }
    int falseMaybe = 0;
    for (int i = 0; i < 100_000; i++) {
      if (filter.mightContain("other-" + i, 0)) {
        falseMaybe++;
      }
    }
    // 1.2%: about 1 in 700 per full filter, and a lookup asks each of the nine.
    assertThat(falseMaybe).isEqualTo(1_173);
  }

  @Test
  void shouldForgetAGenerationOnceAllItsTimesAreBeforeTheLowerBound() {
    SeenFilter filter = new SeenFilter(1_000, 1 << 12);
    filter.add("a", 500);
    filter.add("b", 1_500);

    filter.expireBefore(999);
    assertThat(filter.generations()).isEqualTo(2);
    assertThat(filter.mightContain("a", 0)).isTrue();

    filter.expireBefore(1_000);
    assertThat(filter.generations()).isEqualTo(1);
    assertThat(filter.mightContain("a", 0)).isFalse();
    assertThat(filter.mightContain("b", 0)).isTrue();
  }

  @Test
  void shouldLookOnlyAtGenerationsThatReachTheLowerBound() {
    SeenFilter filter = new SeenFilter(1_000, 1 << 12);
    filter.add("a", 500);

    assertThat(filter.mightContain("a", 999)).isTrue();
    assertThat(filter.mightContain("a", 1_000)).isFalse();
  }

  @Test
  void shouldRejectBadSizes() {
    assertThatThrownBy(() -> new SeenFilter(0, 1 << 12))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("generationMs must be > 0, not 0");
    assertThatThrownBy(() -> new SeenFilter(1_000, 1_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("firstFilterBits must be a power of two >= 64, not 1000");
  }
}
