package dev.hourglass.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UncleanExitTest {
  @TempDir Path stateDir;

  private Path app() {
    return stateDir.resolve("hourglass-streams");
  }

  private Path storeFileOfTask(String task) throws IOException {
    Path file = app().resolve(task).resolve("rocksdb").resolve("task-dedup").resolve("CURRENT");
    Files.createDirectories(file.getParent());
    return Files.writeString(file, "MANIFEST-000001");
  }

  @Test
  void shouldRemoveStateThatNoCleanCloseMarked() throws IOException {
    storeFileOfTask("1_0");
    storeFileOfTask("1_3");

    assertThat(UncleanExit.removeStateLeftByCrash(app())).isTrue();

    assertThat(app()).doesNotExist();
  }

  @Test
  void shouldKeepStateACleanCloseMarkedAndConsumeTheMarker() throws IOException {
    Path store = storeFileOfTask("1_0");
    UncleanExit.markClosedCleanly(app());

    assertThat(UncleanExit.removeStateLeftByCrash(app())).isFalse();

    assertThat(store).hasContent("MANIFEST-000001");
    assertThat(app().resolve(UncleanExit.CLEAN_CLOSE_MARKER)).doesNotExist();
  }

  @Test
  void shouldRemoveStateOfACrashAfterACleanRestart() throws IOException {
    storeFileOfTask("1_0");
    UncleanExit.markClosedCleanly(app());
    UncleanExit.removeStateLeftByCrash(app());
    // ...the instance runs and is SIGKILLed: no marker this time.

    assertThat(UncleanExit.removeStateLeftByCrash(app())).isTrue();

    assertThat(app()).doesNotExist();
  }

  @Test
  void shouldLeaveAFirstStartAlone() {
    assertThat(UncleanExit.removeStateLeftByCrash(app())).isFalse();

    assertThat(app()).doesNotExist();
  }
}
