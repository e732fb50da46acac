package dev.hourglass.schema;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A consistent physical backup of a running PostgreSQL server whose data directory is on this
 * machine, taken while it is written to, with the server's own non-exclusive backup functions (the
 * embedded binaries have no {@code pg_basebackup}): {@code pg_backup_start} (an immediate
 * checkpoint), a copy of the data directory, {@code pg_backup_stop} (whose {@code backup_label}
 * goes into the copy), then the write-ahead log from the start to the stop position. Files that
 * change during the copy are made consistent by that WAL when the copy starts: the server replays
 * it from the checkpoint in {@code backup_label}, as after a crash. {@link #restore} puts a backup
 * into a new data directory, and with archived WAL to a chosen moment (point-in-time recovery).
 * What {@code pg_basebackup} leaves out is left out here too.
 */
public final class PhysicalBackup {
  /** Directories whose contents are the server's run-time state, never part of a backup. */
  private static final Set<String> EMPTIED =
      Set.of(
          "pg_wal",
          "pg_replslot",
          "pg_stat_tmp",
          "pg_dynshmem",
          "pg_notify",
          "pg_serial",
          "pg_snapshots",
          "pg_subtrans");

  /** Files of the running server (and the embedded binaries' lock), never part of a backup. */
  private static final Set<String> SKIPPED =
      Set.of(
          "postmaster.pid",
          "postmaster.opts",
          "backup_label",
          "tablespace_map",
          "epg-lock",
          "pg_internal.init");

  /** Beside the data files in a backup (never restored): when and where it became consistent. */
  static final String MANIFEST = "hourglass-backup.properties";

  private static final DateTimeFormatter RECOVERY_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS'+00'").withZone(ZoneOffset.UTC);

  /**
   * Where a restored server's recovery ends: replay of archived WAL up to {@code targetTime} (every
   * transaction committed at or before it), or to the end of the archive when it is null, then the
   * server is promoted and opens for writes on a new timeline.
   *
   * @param walArchive the directory the server archived its WAL segments into
   * @param targetTime the moment to recover to, or null for as far as the archive goes
   */
  public record Recovery(Path walArchive, Instant targetTime) {
    public Recovery {
      Objects.requireNonNull(walArchive, "walArchive");
    }
  }

  /**
   * What a backup holds.
   *
   * @param startLsn where replay starts (the checkpoint of {@code pg_backup_start})
   * @param stopLsn where the backup is consistent: a restore replays at least up to here
   * @param files data files copied
   * @param walSegments WAL segments copied
   */
  public record Result(
      String startLsn, String stopLsn, Instant stopTime, long files, long walSegments) {}

  private PhysicalBackup() {}

  /**
   * Backs the server up into {@code target}, which must not exist.
   *
   * @param dataDir the server's data directory ({@code SHOW data_directory}), on this machine
   * @param user a superuser, or a role granted EXECUTE on pg_backup_start and pg_backup_stop
   */
  public static Result take(String jdbcUrl, String user, String password, Path dataDir, Path target)
      throws SQLException, IOException {
    if (Files.exists(target)) {
      throw new IOException("Invalid value " + target + " for backup target: it already exists");
    }
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    // The backup functions must run in one session: a non-exclusive backup ends with it.
    try (Connection c = DriverManager.getConnection(jdbcUrl, props)) {
      String start = single(c, "SELECT pg_backup_start('hourglass backup', true)::text");
      String startWal = single(c, "SELECT pg_walfile_name(?::pg_lsn)", start);
      Files.createDirectories(target);
      long files = copyData(dataDir, target);
      String stop;
      try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT lsn::text, labelfile, spcmapfile FROM pg_backup_stop(false)");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        stop = rs.getString(1);
        Files.writeString(target.resolve("backup_label"), rs.getString(2), StandardCharsets.UTF_8);
        String spcmap = rs.getString(3);
        if (spcmap != null && !spcmap.isEmpty()) {
          Files.writeString(target.resolve("tablespace_map"), spcmap, StandardCharsets.UTF_8);
        }
      }
      // The server's clock once the backup is consistent: no recovery can stop before this.
      Instant stopTime =
          Instant.ofEpochMilli(
              Long.parseLong(
                  single(
                      c, "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text")));
      String stopWal = single(c, "SELECT pg_walfile_name(?::pg_lsn)", stop);
      long segments =
          copyWal(dataDir.resolve("pg_wal"), target.resolve("pg_wal"), startWal, stopWal);
      Properties manifest = new Properties();
      manifest.setProperty("start.lsn", start);
      manifest.setProperty("stop.lsn", stop);
      manifest.setProperty("stop.time", stopTime.toString());
      try (var out = Files.newBufferedWriter(target.resolve(MANIFEST), StandardCharsets.UTF_8)) {
        manifest.store(out, "hourglass backup");
      }
      return new Result(start, stop, stopTime, files, segments);
    }
  }

  /**
   * Puts {@code backup} into {@code newDataDir} (absent or empty), owner-only as PostgreSQL
   * requires; a server started on it replays the backup's WAL and opens at the backup's end.
   */
  public static void restore(Path backup, Path newDataDir) throws IOException {
    restore(backup, newDataDir, null);
  }

  /**
   * Puts {@code backup} into {@code newDataDir} as {@link #restore(Path, Path)} does and, with a
   * {@code recovery}, sets the server to recover from the WAL archive up to its target time and
   * then open ({@code recovery.signal}, {@code restore_command}, {@code recovery_target_time},
   * {@code recovery_target_action=promote} in {@code postgresql.auto.conf}).
   *
   * @throws IOException when the target time is before the backup's consistent point (such a
   *     recovery cannot stop there) or the archive is missing
   */
  public static void restore(Path backup, Path newDataDir, Recovery recovery) throws IOException {
    if (!Files.exists(backup.resolve("backup_label"))) {
      throw new IOException(
          "Invalid value " + backup + " for backup: no backup_label, not a hourglass backup");
    }
    if (Files.exists(newDataDir)) {
      try (Stream<Path> entries = Files.list(newDataDir)) {
        if (entries.findAny().isPresent()) {
          throw new IOException("Invalid value " + newDataDir + " for data directory: not empty");
        }
      }
    }
    if (recovery != null) {
      check(backup, recovery);
    }
    copyTree(backup, newDataDir, Set.of(), Set.of(MANIFEST));
    Files.setPosixFilePermissions(newDataDir, PosixFilePermissions.fromString("rwx------"));
    if (recovery != null) {
      recoverFromArchive(newDataDir, recovery);
    }
  }

  private static void check(Path backup, Recovery recovery) throws IOException {
    Path archive = recovery.walArchive().toAbsolutePath().normalize();
    if (!Files.isDirectory(archive)) {
      throw new IOException(
          "Invalid value " + recovery.walArchive() + " for WAL archive: not a directory");
    }
    if (!archive.toString().matches("[^'\"%\\n\\\\]+")) {
      throw new IOException(
          "Invalid value "
              + recovery.walArchive()
              + " for WAL archive: quotes, %, backslashes and newlines cannot be in a"
              + " restore_command path");
    }
    Path manifestFile = backup.resolve(MANIFEST);
    if (recovery.targetTime() != null && Files.exists(manifestFile)) {
      Properties manifest = new Properties();
      try (var in = Files.newBufferedReader(manifestFile, StandardCharsets.UTF_8)) {
        manifest.load(in);
      }
      Instant consistent = Instant.parse(manifest.getProperty("stop.time"));
      if (recovery.targetTime().isBefore(consistent)) {
        throw new IOException(
            "Invalid value "
                + recovery.targetTime()
                + " for target time: before "
                + consistent
                + ", when the backup became consistent; restore an older backup");
      }
    }
  }

  /** The settings that make the server restored in {@code dataDir} replay archived WAL. */
  private static void recoverFromArchive(Path dataDir, Recovery recovery) throws IOException {
    Path archive = recovery.walArchive().toAbsolutePath().normalize();
    StringBuilder conf = new StringBuilder("\n# hourglass restore: point-in-time recovery\n");
    conf.append("restore_command = 'cp \"").append(archive).append("/%f\" \"%p\"'\n");
    if (recovery.targetTime() != null) {
      conf.append("recovery_target_time = '")
          .append(RECOVERY_TIME.format(recovery.targetTime()))
          .append("'\n");
    }
    // Open for writes once there: the sink resumes from the offsets the target holds.
    conf.append("recovery_target_action = 'promote'\n");
    Files.writeString(
        dataDir.resolve("postgresql.auto.conf"),
        conf,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    Files.createFile(dataDir.resolve("recovery.signal"));
  }

  private static String single(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static long copyData(Path dataDir, Path target) throws IOException {
    return copyTree(dataDir, target, EMPTIED, SKIPPED);
  }

  /** Segments from {@code first} to {@code last} (same timeline, names sort by position). */
  private static long copyWal(Path walDir, Path target, String first, String last)
      throws IOException {
    Files.createDirectories(target.resolve("archive_status"));
    List<Path> segments;
    try (Stream<Path> files = Files.list(walDir)) {
      segments =
          files
              .filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}"))
              .filter(p -> p.getFileName().toString().compareTo(first) >= 0)
              .filter(p -> p.getFileName().toString().compareTo(last) <= 0)
              .toList();
    }
    for (Path segment : segments) {
      Files.copy(segment, target.resolve(segment.getFileName()));
    }
    return segments.size();
  }

  private static long copyTree(Path from, Path to, Set<String> emptied, Set<String> skipped)
      throws IOException {
    long[] copied = {0};
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            Files.createDirectories(to.resolve(from.relativize(dir).toString()));
            return dir.getParent() != null
                    && dir.getParent().equals(from)
                    && emptied.contains(dir.getFileName().toString())
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            if (skipped.contains(file.getFileName().toString())) {
              return FileVisitResult.CONTINUE;
            }
            try {
              Files.copy(
                  file,
                  to.resolve(from.relativize(file).toString()),
                  StandardCopyOption.REPLACE_EXISTING);
              copied[0]++;
            } catch (NoSuchFileException e) {
              // Dropped while copying (a table, a temporary file): its absence is in the WAL.
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }
        });
    return copied[0];
  }
}
