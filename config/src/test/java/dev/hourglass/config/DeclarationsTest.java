package dev.hourglass.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.junit.jupiter.api.Test;

class DeclarationsTest {
  private static final Declarations DEMO =
      Declarations.of(
              Shared.define(Shared.BOOTSTRAP_SERVERS, Shared.JDBC_PASSWORD)
                  .define(
                      "demo.size", Type.INT, 10, Range.between(1, 100), Importance.HIGH, "items")
                  .define(
                      "demo.wait.ms",
                      Type.LONG,
                      500L,
                      Range.atLeast(0),
                      Importance.MEDIUM,
                      "a duration")
                  .define(
                      "demo.max.wait.ms",
                      Type.LONG,
                      1000L,
                      Range.atLeast(0),
                      Importance.MEDIUM,
                      "another")
                  .define(
                      "demo.format",
                      Type.STRING,
                      "avro",
                      Validators.oneOf("avro", "json"),
                      Importance.LOW,
                      "a choice"))
          .open("demo.client.*", "demo.client.")
          .refuse("demo.client.group.id", "the demo sets it itself")
          .renamed("demo.wait", "demo.wait.ms")
          .rule(
              "demo.max.wait.ms",
              List.of("demo.wait.ms"),
              v ->
                  v.getLong("demo.max.wait.ms") >= v.getLong("demo.wait.ms")
                      ? null
                      : "must be at least demo.wait.ms (" + v.getLong("demo.wait.ms") + ")");

  private static final Map<String, String> REQUIRED = Map.of("bootstrap.servers", "k:9092");

  @Test
  void shouldApplyDefaultsToAbsentKeys() {
    Values v = DEMO.parse(REQUIRED);

    assertThat(v.getString("bootstrap.servers")).isEqualTo("k:9092");
    assertThat(v.getInt("demo.size")).isEqualTo(10);
    assertThat(v.getDuration("demo.wait.ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(v.getString("jdbc.password")).isEmpty();
    assertThat(v.getString("demo.format")).isEqualTo("avro");
  }

  @Test
  void shouldTrimAndTypeValues() {
    Values v = DEMO.parse(Map.of("bootstrap.servers", " k:1 ", "demo.size", " 7 "));

    assertThat(v.getString("bootstrap.servers")).isEqualTo("k:1");
    assertThat(v.getInt("demo.size")).isEqualTo(7);
  }

  @Test
  void shouldRefuseAnUnknownKey() {
    assertThatThrownBy(() -> DEMO.parse(Map.of("bootstrap.servers", "k:1", "demo.sise", "5")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Invalid value 5 for configuration demo.sise: unknown key");
  }

  @Test
  void shouldRefuseAValueOfTheWrongType() {
    assertThatThrownBy(() -> DEMO.parse(Map.of("bootstrap.servers", "k:1", "demo.wait.ms", "10m")))
        .hasMessage(
            "Invalid value 10m for configuration demo.wait.ms: must be a whole number of"
                + " milliseconds");
    assertThatThrownBy(
            () -> DEMO.parse(Map.of("bootstrap.servers", "k:1", "demo.size", "99999999999")))
        .hasMessage(
            "Invalid value 99999999999 for configuration demo.size: must be a whole number from"
                + " -2147483648 to 2147483647");
  }

  @Test
  void shouldRefuseAValueOutOfRange() {
    assertThatThrownBy(() -> DEMO.parse(Map.of("bootstrap.servers", "k:1", "demo.size", "0")))
        .hasMessage("Invalid value 0 for configuration demo.size: Value must be at least 1");
  }

  @Test
  void shouldRequireAKeyWithoutDefault() {
    assertThatThrownBy(() -> DEMO.parse(Map.of()))
        .hasMessage(
            "Invalid value (not set) for configuration bootstrap.servers: required, no default");
  }

  @Test
  void shouldNameTheNewKeyOfARenamedOne() {
    assertThatThrownBy(() -> DEMO.parse(Map.of("bootstrap.servers", "k:1", "demo.wait", "2s")))
        .hasMessage(
            "Invalid value 2s for configuration demo.wait: was renamed to demo.wait.ms"
                + " (milliseconds)");
  }

  @Test
  void shouldReportEveryProblemAtOnceSortedByKey() {
    Map<String, String> settings =
        Map.of(
            "demo.size", "many",
            "demo.format", "xml",
            "demo.wait.ms", "2000",
            "demo.max.wait.ms", "1000",
            "demo.client.group.id", "mine",
            "demo.colour", "red");

    assertThatThrownBy(() -> DEMO.parse(settings))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            String.join(
                "\n",
                "Invalid value (not set) for configuration bootstrap.servers: required, no"
                    + " default",
                "Invalid value mine for configuration demo.client.group.id: the demo sets it"
                    + " itself",
                "Invalid value red for configuration demo.colour: unknown key",
                "Invalid value xml for configuration demo.format: must be one of avro, json",
                "Invalid value 1000 for configuration demo.max.wait.ms: must be at least"
                    + " demo.wait.ms (2000)",
                "Invalid value many for configuration demo.size: must be a whole number"));
  }

  @Test
  void shouldSkipARuleWhoseInputIsItselfInvalid() {
    assertThatThrownBy(
            () ->
                DEMO.parse(
                    Map.of(
                        "bootstrap.servers", "k:1",
                        "demo.wait.ms", "soon",
                        "demo.max.wait.ms", "1")))
        .hasMessage(
            "Invalid value soon for configuration demo.wait.ms: must be a whole number of"
                + " milliseconds");
  }

  @Test
  void shouldPassOpenKeysThroughWithoutTheirPrefix() {
    Values v =
        DEMO.parse(
            Map.of(
                "bootstrap.servers", "k:1",
                "demo.client.session.timeout.ms", "6000",
                "demo.client.ssl.key.password", "pw"));

    assertThat(v.passThrough("demo.client."))
        .containsExactly(
            Map.entry("session.timeout.ms", "6000"), Map.entry("ssl.key.password", "pw"));
  }

  @Test
  void shouldMaskSecretsInProblemsAndDescriptions() {
    assertThatThrownBy(
            () -> DEMO.parse(Map.of("bootstrap.servers", "k:1", "jdbc.passwd", "s3cret")))
        .hasMessage("Invalid value <masked> for configuration jdbc.passwd: unknown key");
    assertThat(
            Declarations.describe(
                Map.of(
                    "jdbc.password", "s3cret",
                    "demo.client.sasl.jaas.config", "user=x password=y")))
        .contains("\n  jdbc.password = <masked>", "\n  demo.client.sasl.jaas.config = <masked>")
        .doesNotContain("s3cret", "password=y");
    assertThat(Declarations.describe(Map.of("demo.size", 10))).isEqualTo("\n  demo.size = 10");
  }

  @Test
  void shouldSkipKeysThatAnotherComponentDeclares() {
    Declarations other =
        Declarations.of(
                new ConfigDef()
                    .define("other.size", Type.INT, 1, Importance.LOW, "another component's"))
            .renamed("other.grace", "other.grace.ms");
    Declarations known = Declarations.union(DEMO, other);

    assertThat(
            DEMO.parse(Map.of("bootstrap.servers", "k:1", "other.size", "x"), known)
                .getInt("demo.size"))
        .isEqualTo(10);
    assertThatThrownBy(
            () ->
                DEMO.parse(
                    Map.of("bootstrap.servers", "k:1", "other.grace", "1m", "nobody.s", "1"),
                    known))
        .hasMessage(
            "Invalid value 1 for configuration nobody.s: unknown key\n"
                + "Invalid value 1m for configuration other.grace: was renamed to other.grace.ms"
                + " (milliseconds)");
  }

  @Test
  void shouldRefuseOneKeyDeclaredTwiceDifferently() {
    Declarations a =
        Declarations.of(new ConfigDef().define("x", Type.INT, 1, Importance.LOW, "one"));
    Declarations b =
        Declarations.of(new ConfigDef().define("x", Type.INT, 2, Importance.LOW, "two"));

    assertThatThrownBy(() -> Declarations.union(a, b))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("x is declared twice, differently");
  }
}
