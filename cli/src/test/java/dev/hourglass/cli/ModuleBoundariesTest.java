package dev.hourglass.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
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
        List.of("avro", "schema", "embedded", "producer", "streams", "sink", "cli")) {
      assertThat(classes.containPackage("dev.hourglass." + module)).as(module).isTrue();
    }
  }

  @Test
  void shouldKeepDeployableModulesIndependentOfEachOther() {
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.hourglass.cli..", "dev.hourglass.producer..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.hourglass.producer..")
        .because(
            "producer, streams-processor and sink deploy separately; only the cli wires them"
                + " together, so one can change or scale without rebuilding the others")
        .check(classes);
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.hourglass.cli..", "dev.hourglass.streams..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.hourglass.streams..")
        .because("only the cli wires deployable modules together")
        .check(classes);
    noClasses()
        .that()
        .resideOutsideOfPackages("dev.hourglass.cli..", "dev.hourglass.sink..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.hourglass.sink..")
        .because("only the cli wires deployable modules together")
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
        .resideOutsideOfPackage("dev.hourglass.streams..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.apache.kafka.streams..")
        .because(
            "stream processing state and exactly-once transactions belong to one module; others"
                + " use plain clients whose behaviour is simpler to reason about")
        .check(classes);
  }

  @Test
  void shouldUseJdbcHikariAndFlywayOnlyInSinkAndSchema() {
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "dev.hourglass.sink..", "dev.hourglass.schema..", "dev.hourglass.embedded..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.sql..", "javax.sql..", "com.zaxxer.hikari..", "org.flywaydb..")
        .because(
            "the database is written by the sink and shaped by schema-sql only, so every SQL"
                + " statement the pipeline runs lives in those two modules (embedded only creates"
                + " and drops test databases)")
        .check(classes);
  }
}
