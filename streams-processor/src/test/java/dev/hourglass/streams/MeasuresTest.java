package dev.hourglass.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MeasuresTest {

  private static Measures measures(long count, double sum, int bucket) {
    Measures m = Families.AGENT.empty();
    m.longs[0] = count;
    m.doubles[0] = sum;
    m.histogram[bucket] = count;
    return m;
  }

  @Test
  void shouldAddInPlace() {
    Measures window = measures(3, 1.5, 10);

    window.checkAddable(measures(2, 0.25, 11));
    window.add(measures(2, 0.25, 11));

    assertThat(window.longs[0]).isEqualTo(5);
    assertThat(window.doubles[0]).isEqualTo(1.75);
    assertThat(window.histogram[10]).isEqualTo(3);
    assertThat(window.histogram[11]).isEqualTo(2);
  }

  @Test
  void shouldClearEveryMeasureForReuseAsTheNextDelta() {
    Measures scratch = measures(3, 1.5, 10);
    scratch.longs[4] = 7;

    Measures cleared = scratch.clear();

    assertThat(cleared).isSameAs(scratch);
    assertThat(cleared.longs).containsOnly(0L);
    assertThat(cleared.doubles).containsOnly(0.0);
    assertThat(cleared.histogram).containsOnly(0L);
  }

  @Test
  void shouldRefuseAnOverflowingSumWithoutChangingAnything() {
    Measures window = measures(3, 1.5, 10);
    window.longs[4] = Long.MAX_VALUE;
    Measures delta = measures(1, 0.5, 10);
    delta.longs[4] = 1;

    assertThatThrownBy(() -> window.checkAddable(delta))
        .isInstanceOf(ArithmeticException.class)
        .hasMessage("long overflow");
    assertThat(window).isEqualTo(measures(3, 1.5, 10).plusExact(zeroWithMax()));
  }

  @Test
  void shouldRefuseAnInfiniteDoubleSum() {
    Measures window = measures(1, Double.MAX_VALUE, 0);

    assertThatThrownBy(() -> window.checkAddable(measures(1, Double.MAX_VALUE, 0)))
        .isInstanceOf(ArithmeticException.class)
        .hasMessage("double sum overflow: 1.7976931348623157E308 + 1.7976931348623157E308");
  }

  @Test
  void shouldLeaveBothOperandsOfPlusExactUnchanged() {
    Measures a = measures(3, 1.5, 10);
    Measures b = measures(2, 0.25, 10);

    Measures sum = a.plusExact(b);

    assertThat(sum).isEqualTo(measures(5, 1.75, 10));
    assertThat(a).isEqualTo(measures(3, 1.5, 10));
    assertThat(b).isEqualTo(measures(2, 0.25, 10));
  }

  private static Measures zeroWithMax() {
    Measures m = Families.AGENT.empty();
    m.longs[4] = Long.MAX_VALUE;
    return m;
  }
}
