package dev.hourglass.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.syntax.elements.ClassesShould;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries, checked on the compiled main classes of every module (the CLI's test
 * classpath holds them all).
 */
class ModuleBoundariesTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // Our modules arrive as hourglass-*.jar (or target/classes); third-party jars stay out.
            .withImportOption(location -> !location.isJar() || location.contains("/hourglass-"))
            .importPackages("dev.hourglass");
    // The rules below mean something only if every module's classes were imported.
    for (String module :
        List.of(
            "avro",
            "schema",
            "embedded",
            "producer",
            "admin",
            "streams",
            "sink",
            "forwarder",
            "loadgen",
            "bench",
            "chaos",
            "cli")) {
      assertThat(classes.containPackage("dev.hourglass." + module)).as(module).isTrue();
    }
  }

  /**
   * The rule's subject for what runs in production: the producer library services embed, the
   * streams processor and the sink.
   */
  private static ClassesShould noDeployable() {
    return noClasses()
        .that()
        .resideInAnyPackage(
            "dev.hourglass.producer..",
            "dev.hourglass.streams..",
            "dev.hourglass.sink..",
            "dev.hourglass.forwarder..")
        .should();
  }

  @Test
  void shouldKeepDeployableModulesIndependentOfEachOther() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "dev.hourglass.cli..",
            "dev.hourglass.bench..",
            "dev.hourglass.loadgen..",
            "dev.hourglass.admin..",
            "dev.hourglass.producer..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.hourglass.producer..")
        .because(
            "producer, streams-processor and sink deploy separately; only the cli wires them"
                + " together (the load generator and the benchmarks drive them as a user would,"
                + " admin reads the topic names), so one can change or scale without rebuilding"
                + " the others")
        .check(classes);
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "dev.hourglass.cli..", "dev.hourglass.bench..", "dev.hourglass.streams..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.hourglass.streams..")
        .because("only the cli wires deployable modules together, and the benchmarks run them")
        .check(classes);
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "dev.hourglass.cli..", "dev.hourglass.bench..", "dev.hourglass.sink..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.hourglass.sink..")
        .because("only the cli wires deployable modules together, and the benchmarks run them")
        .check(classes);
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.hourglass.cli..", "dev.hourglass.forwarder..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.hourglass.forwarder..")
        .because(
            "the alerts forwarder deploys on its own, next to Alertmanager; only the cli wires it"
                + " (hourglass alerts forward)")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("dev.hourglass.forwarder..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.hourglass.streams..", "dev.hourglass.sink..", "dev.hourglass.producer..")
        .because(
            "the forwarder reads the alerts topic through the contract (AlertsFormat) only, so"
                + " it can be upgraded apart from the processor that writes it")
        .check(classes);
  }

  @Test
  void shouldKeepTheHarnessOutOfTheProduct() {
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.hourglass.cli..", "dev.hourglass.bench..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.hourglass.bench..")
        .because("benchmarks exercise the product; only the executable offers them")
        .check(classes);
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "dev.hourglass.cli..",
            "dev.hourglass.bench..",
            "dev.hourglass.chaos..",
            "dev.hourglass.loadgen..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.hourglass.loadgen..")
        .because(
            "the load generator and its deliberate faults are a harness: the executable, the"
                + " benchmarks and the chaos harness use it, nothing that runs in production does")
        .check(classes);
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.hourglass.cli..", "dev.hourglass.chaos..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.hourglass.chaos..")
        .because("the chaos harness kills what it tests; only the executable offers it")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("dev.hourglass.chaos..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.hourglass.streams..", "dev.hourglass.sink..", "dev.hourglass.producer..")
        .because(
            "the chaos harness runs the processor and the sink as processes of their own, as an"
                + " operator does, and sends through the load generator: it shares no code with"
                + " what it kills")
        .check(classes);
    noDeployable()
        .dependOnClassesThat()
        .resideInAPackage("dev.hourglass.admin..")
        .because("topics are provisioned by the operator (hourglass topics), not by a component")
        .check(classes);
  }

  @Test
  void shouldKeepBenchmarkAndChartLibrariesOutOfTheDeployables() {
    noDeployable()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.HdrHistogram..",
            "me.tongfei.progressbar..",
            "org.jfree..",
            "org.openjdk.jmh..",
            "org.apache.kafka.tools..",
            "picocli..")
        .because(
            "services embed the producer library and deploy the processor and the sink: they"
                + " carry nothing that only a benchmark, a chart or a progress bar needs")
        .check(classes);
  }

  @Test
  void shouldKeepTheConfigurationEngineFreeOfWhatItConfigures() {
    assertThat(classes.containPackage("dev.hourglass.config")).as("config").isTrue();
    noClasses()
        .that()
        .resideInAPackage("dev.hourglass.config..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("dev.hourglass.config..", "java..", "org.apache.kafka.common..")
        .because(
            "every component reads its settings with the engine, so it can depend on none of"
                + " them, only on Kafka's ConfigDef")
        .check(classes);
  }

  @Test
  void shouldUseKafkaStreamsOnlyInTheStreamsProcessor() {
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.hourglass.streams..", "dev.hourglass.bench.peers..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.apache.kafka.streams..")
        .because(
            "stream processing state and exactly-once transactions belong to one module; others"
                + " use plain clients whose behaviour is simpler to reason about (the benchmark's"
                + " peers are what a team would build instead, and stay in the benchmark)")
        .check(classes);
  }

  @Test
  void shouldKeepThePeersConnectDebeziumAndFlinkInTheBenchmark() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.hourglass.bench.peers..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.kafka.connect..",
            "io.debezium..",
            "org.hibernate..",
            "io.agroal..",
            "org.apache.flink..")
        .because(
            "hourglass bench peers compares Hourglass with Kafka Connect, Debezium and Flink;"
                + " nothing else, least of all the product, runs them")
        .check(classes);
  }

  @Test
  void shouldUseJdbcHikariAndFlywayOnlyInSinkAndSchema() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "dev.hourglass.sink..",
            "dev.hourglass.schema..",
            "dev.hourglass.embedded..",
            "dev.hourglass.bench..",
            "dev.hourglass.chaos..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.sql..", "javax.sql..", "com.zaxxer.hikari..", "org.flywaydb..")
        .because(
            "the database is written by the sink and shaped by schema-sql only, so every SQL"
                + " statement the pipeline runs lives in those two modules (embedded only creates"
                + " and drops test databases; the benchmarks time COPY and the analyst queries"
                + " against them; the chaos harness locks a table and reads sink_offsets and alerts"
                + " to check the invariants)")
        .check(classes);
  }
}
