package dev.hourglass.bench.peers;

import dev.hourglass.contract.Topics;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Peer 3: Apache Flink ({@link FlinkJob}) on its MiniCluster in a process of its own, upserting
 * into the peer's tables through Flink's JDBC sink, at least once or exactly once (XA). Restarting
 * its sink SIGKILLs that process and starts a new one, which restores the newest checkpoint.
 */
public final class FlinkPeer implements Peer {
  private final String name;
  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final Properties settings;
  private final Path dir;
  private final Admin admin;
  private final String group;
  private final List<String> topics;
  private ChildProcess job;

  private FlinkPeer(
      String name,
      String jdbcUrl,
      String user,
      String password,
      Properties settings,
      Path dir,
      Topics topics) {
    this.name = name;
    this.admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                settings.getProperty(FlinkJob.BOOTSTRAP)));
    this.group = settings.getProperty(FlinkJob.GROUP);
    this.topics = topics.events().stream().map(t -> t.name()).toList();
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.settings = settings;
    this.dir = dir;
  }

  /**
   * Creates the peer's tables (schema {@code name} with - made _), starts the job in its own
   * process and returns once it runs.
   *
   * @param exactlyOnce the JDBC sink's XA mode, one job per family, instead of at least once
   * @param dir where the job keeps its checkpoints, settings and log
   */
  public static FlinkPeer start(
      String name,
      String bootstrapServers,
      String jdbcUrl,
      String user,
      String password,
      Topics topics,
      Duration grace,
      boolean exactlyOnce,
      Path dir)
      throws InterruptedException {
    String schema = name.replace('-', '_');
    PeerTables.create(jdbcUrl, user, password, schema);
    PeerTables.createDeadLetters(jdbcUrl, user, password, schema);
    String peerUrl = PeerTables.url(jdbcUrl, schema);
    Properties p = new Properties();
    p.setProperty(FlinkJob.BOOTSTRAP, bootstrapServers);
    p.setProperty(FlinkJob.PREFIX, topics.prefix());
    p.setProperty(FlinkJob.GROUP, "peers-" + name);
    p.setProperty(FlinkJob.URL, peerUrl);
    p.setProperty(FlinkJob.USER, user);
    p.setProperty(FlinkJob.PASSWORD, password);
    p.setProperty(FlinkJob.GRACE_MS, Long.toString(grace.toMillis()));
    p.setProperty(FlinkJob.CHECKPOINTS, dir.resolve("checkpoints").toString());
    p.setProperty(FlinkJob.EXACTLY_ONCE, Boolean.toString(exactlyOnce));
    FlinkPeer peer = new FlinkPeer(name, peerUrl, user, password, p, dir, topics);
    try {
      peer.launch();
    } catch (RuntimeException | InterruptedException e) {
      peer.admin.close();
      throw e;
    }
    return peer;
  }

  private void launch() throws InterruptedException {
    job = ChildProcess.start(name, FlinkJob.class, settings, dir);
    try {
      job.awaitReady(ChildProcess.START_TIMEOUT);
    } catch (RuntimeException | InterruptedException e) {
      job.close();
      throw e;
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String jdbcUrl() {
    return jdbcUrl;
  }

  @Override
  public Map<String, Long> deadLetters() {
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM " + PeerTables.DEAD_LETTERS)) {
      r.next();
      return Map.of(PeerTables.DEAD_LETTERS, r.getLong(1));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count " + name + "'s dead letters: " + e, e);
    }
  }

  @Override
  public Set<String> deadLetterPositions() {
    Set<String> out = new HashSet<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT topic, kafka_partition, kafka_offset FROM " + PeerTables.DEAD_LETTERS)) {
      while (r.next()) {
        out.add(LedgerBooks.position(r.getString(1), r.getInt(2), r.getLong(3)));
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read " + name + "'s dead letters: " + e, e);
    }
  }

  @Override
  public void check() {
    job.check();
  }

  /**
   * Whether the offsets the job committed with its last checkpoint (the Kafka source commits them
   * to its group then) reach the end of every event partition.
   */
  @Override
  public boolean caughtUp() {
    return CommittedOffsets.reachEnd(admin, group, topics, name);
  }

  @Override
  public void restartSink() {
    try {
      job.kill();
      launch();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while restarting " + name, e);
    }
  }

  @Override
  public void close() {
    try {
      job.close();
    } finally {
      admin.close();
    }
  }
}
