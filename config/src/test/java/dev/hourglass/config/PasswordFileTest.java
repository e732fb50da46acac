package dev.hourglass.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordFileTest {
  @TempDir Path dir;

  private Map<String, String> settings(String... more) {
    var m = new java.util.HashMap<String, String>();
    m.put("jdbc.url", "jdbc:postgresql://db:5432/hourglass");
    m.put("jdbc.user", "hourglass_sink");
    for (int i = 0; i < more.length; i += 2) {
      m.put(more[i], more[i + 1]);
    }
    return m;
  }

  private Path file(String content, String permissions) throws IOException {
    Path f = dir.resolve("password");
    Files.writeString(f, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(permissions));
    return f;
  }

  @Test
  void shouldReadPasswordFromFirstLineOfOwnerOnlyFile() throws IOException {
    Path f = file("s3cret pass\r\nignored\n", "rw-------");

    Values v = Shared.JDBC.parse(settings("jdbc.password.file", f.toString()));

    assertThat(Shared.jdbcPassword(v)).isEqualTo("s3cret pass");
  }

  @Test
  void shouldUsePasswordKeyWhenNoFileIsSet() {
    Values v = Shared.JDBC.parse(settings("jdbc.password", "inline"));

    assertThat(Shared.jdbcPassword(v)).isEqualTo("inline");
  }

  @Test
  void shouldRefuseFileOthersMayRead() throws IOException {
    Path f = file("s3cret\n", "rw-r--r--");

    assertThatThrownBy(() -> Shared.JDBC.parse(settings("jdbc.password.file", f.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Invalid value <masked> for configuration jdbc.password.file: must be readable by its"
                + " owner only (chmod 600), not rw-r--r--");
  }

  @Test
  void shouldRefuseFileAndPasswordTogether() throws IOException {
    Path f = file("s3cret\n", "rw-------");

    assertThatThrownBy(
            () ->
                Shared.JDBC.parse(
                    settings("jdbc.password.file", f.toString(), "jdbc.password", "inline")))
        .hasMessage(
            "Invalid value <masked> for configuration jdbc.password.file: must not be set"
                + " together with jdbc.password");
  }

  @Test
  void shouldRefuseMissingOrEmptyFile() throws IOException {
    assertThatThrownBy(
            () ->
                Shared.JDBC.parse(settings("jdbc.password.file", dir.resolve("absent").toString())))
        .hasMessage(
            "Invalid value <masked> for configuration jdbc.password.file: must be a readable file");
    Path empty = file("\n", "rw-------");
    assertThatThrownBy(() -> Shared.JDBC.parse(settings("jdbc.password.file", empty.toString())))
        .hasMessage(
            "Invalid value <masked> for configuration jdbc.password.file: must hold the password"
                + " on its first line");
  }
}
