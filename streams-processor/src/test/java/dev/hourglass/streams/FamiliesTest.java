package dev.hourglass.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.contract.Family;
import org.junit.jupiter.api.Test;

class FamiliesTest {

  @Test
  void shouldAggregateEachFamilyOfTheContractOnceInItsOrder() {
    assertThat(Families.all().stream().map(Aggregation::family)).containsExactly(Family.values());
    assertThat(Families.of(Family.TASK)).isSameAs(Families.TASK);
    assertThat(Families.of(Family.AGENT)).isSameAs(Families.AGENT);
    assertThat(Families.of(Family.INTEGRATION)).isSameAs(Families.INTEGRATION);
  }

  @Test
  void shouldAggregateTheEventTypeTheContractDeclares() {
    for (Aggregation<?> a : Families.all()) {
      assertThat(a.eventType()).as(a.family().id()).isEqualTo(a.family().eventType());
    }
  }
}
