package dev.hourglass.loadgen;

import dev.hourglass.avro.BadRecordException;
import dev.hourglass.avro.RecordFormat;
import dev.hourglass.avro.SingleObjectFormat;
import dev.hourglass.avro.Violation;
import dev.hourglass.contract.Family;
import dev.hourglass.events.AgentEvent;
import dev.hourglass.events.AgentEventKind;
import dev.hourglass.events.IntegrationEvent;
import dev.hourglass.events.IntegrationStatus;
import dev.hourglass.events.TaskEvent;
import dev.hourglass.events.TaskEventKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/**
 * Synthetic traffic, the same for the same seed and settings, byte for byte. Not thread-safe: one
 * thread calls {@link #next()}.
 *
 * <p>A simulated world of organizations (sizes skewed, Zipf-like) with projects, users, at least
 * 1,000 agents and a set of integrations each. Event {@code i} of {@code n} happens at {@code start
 * + span * i / n}, so event time rises steadily over the span and ends at {@code end}. At each
 * step, a pending lifecycle step that is due is emitted first (task created → started → completed
 * or failed, some cancelled; agent run started → completed or failed); otherwise a new lifecycle or
 * an integration call begins. Measures come from skewed distributions: log-normal task hours, agent
 * durations and tokens; integrations have error bursts, periods of high error rate and latency.
 *
 * <p>Faults replace the event planned at their position ({@link FaultPlan}): late and out-of-order
 * events move its time back, invalid events break one rule, poison records are bytes that are not
 * an event, duplicates re-send a recent clean event (within an hour of event time), misrouted
 * events are sent as planned to a partition that is not their key's.
 */
final class EventGenerator {
  static final int MIN_AGENTS = 1_000;
  private static final String[] INTEGRATION_TYPES = {
    "github",
    "gitlab",
    "linear",
    "jira",
    "slack",
    "pagerduty",
    "sentry",
    "datadog",
    "notion",
    "figma"
  };
  private static final String[] EVENT_TYPES = {
    "webhook.received", "pull_request.opened", "issue.updated", "message.posted", "sync.completed"
  };
  private static final String[] AGENT_TYPES = {"codegen", "review", "test", "docs"};
  private static final double[] AGENT_TYPE_WEIGHTS = {0.5, 0.25, 0.15, 0.10};

  /** Cost per token in micro-dollars, by agent type. */
  private static final long[] MICROS_PER_TOKEN = {15, 10, 8, 3};

  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final long MINUTE = Duration.ofMinutes(1).toMillis();
  private static final int RECENT = 64;

  private final long n;
  private final long startMs;
  private final long spanMs;
  private final long graceMs;
  private final FaultPlan faults;
  private final SplittableRandom random;
  private final SplittableRandom faultRandom;
  private final RecordFormat format = SingleObjectFormat.standard();
  private final Org[] orgs;
  private final double[] orgCumulative;
  private final PriorityQueue<Pending> pending = new PriorityQueue<>();
  private final Deque<Recent> recentClean = new ArrayDeque<>();
  private long index;
  private long sequence;
  private long taskNumber;

  EventGenerator(
      long seed,
      long n,
      int orgCount,
      Duration grace,
      Duration span,
      Instant end,
      Map<Injected, Double> fractions) {
    if (n < 1 || n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("n must be between 1 and " + Integer.MAX_VALUE + ": " + n);
    }
    SplittableRandom root = new SplittableRandom(seed);
    SplittableRandom worldRandom = root.split();
    this.faultRandom = root.split();
    this.random = root.split();
    this.n = n;
    this.spanMs = span.toMillis();
    this.startMs = end.toEpochMilli() - spanMs;
    this.graceMs = grace.toMillis();
    this.faults = new FaultPlan((int) n, fractions, root.split());
    this.orgs = world(worldRandom, orgCount, startMs, spanMs);
    this.orgCumulative = new double[orgs.length];
    double total = 0;
    for (int i = 0; i < orgs.length; i++) {
      total += orgs[i].weight;
      orgCumulative[i] = total;
    }
  }

  long size() {
    return n;
  }

  /** Planned count of each kind of send, NONE included. */
  Map<Injected, Long> plannedCounts() {
    return faults.counts();
  }

  /** How many agents the world holds (all organizations). */
  int agentCount() {
    return Arrays.stream(orgs).mapToInt(o -> o.agents.length).sum();
  }

  /** How many (organization, integration type) pairs the world holds. */
  int integrationCount() {
    return Arrays.stream(orgs).mapToInt(o -> o.integrations.length).sum();
  }

  boolean hasNext() {
    return index < n;
  }

  Planned next() {
    if (index >= n) {
      throw new java.util.NoSuchElementException("all " + n + " events generated");
    }
    long i = index++;
    long at = startMs + (long) ((double) spanMs * i / n);
    Emitted e = emit(at);
    Injected fault = faults.at(i);
    return switch (fault) {
      case NONE -> remember(new Planned(i, e.family, e.org, e.event, null, fault, null), at);
      case LATE -> {
        // More than grace + 1 h back: the window it lands in closed at least grace ago.
        long back = graceMs + HOUR + 1_000 + faultRandom.nextLong(HOUR);
        yield new Planned(i, e.family, e.org, withTime(e.event, at - back), null, fault, null);
      }
      case OUT_OF_ORDER -> {
        // At least 1 s and less than grace / 2 back: its window is still open.
        long back = 1_000 + faultRandom.nextLong(Math.max(1, graceMs / 2 - 1_000));
        yield new Planned(i, e.family, e.org, withTime(e.event, at - back), null, fault, null);
      }
      case INVALID -> invalid(i, e, at);
      case POISON -> poison(i, e);
      case DUPLICATE -> duplicate(i, at);
      // The event as planned; only its partition will be wrong. Not remembered for duplicates,
      // so that a duplicate's original is always on its key's partition.
      case MISROUTED -> new Planned(i, e.family, e.org, e.event, null, fault, null);
    };
  }

  private Planned remember(Planned p, long at) {
    recentClean.addLast(new Recent(p, at));
    if (recentClean.size() > RECENT) {
      recentClean.removeFirst();
    }
    return p;
  }

  /** A recent clean event and its event time, a candidate original for a duplicate. */
  private record Recent(Planned planned, long at) {}

  private Planned duplicate(long i, long at) {
    List<Planned> candidates = new ArrayList<>();
    for (Recent r : recentClean) {
      // Within an hour of event time: inside the processor's deduplication horizon.
      if (at - r.at <= HOUR) {
        candidates.add(r.planned);
      }
    }
    Planned original =
        candidates.isEmpty()
            ? recentClean.getLast().planned
            : candidates.get(faultRandom.nextInt(candidates.size()));
    return new Planned(
        i, original.family(), original.key(), original.event(), null, Injected.DUPLICATE, null);
  }

  // ---------------------------------------------------------------- faults

  private Planned invalid(long i, Emitted e, long at) {
    int variant = faultRandom.nextInt(4);
    long farFuture = startMs + spanMs + Duration.ofDays(365).toMillis();
    SpecificRecord bad;
    String reason;
    // The emitted event is fresh and shared with nothing, so it is changed in place (Avro 1.12's
    // newBuilder(copy) deep-copies enums through a class lookup that its security check refuses).
    if (e.event instanceof TaskEvent b) {
      switch (variant) {
        case 0 -> {
          b.setEstimatedHours(-1.5);
          reason = Violation.INVALID_NEGATIVE;
        }
        case 1 -> {
          b.setProjectId("project-" + Long.toHexString(faultRandom.nextLong()));
          reason = Violation.INVALID_UUID;
        }
        case 2 -> {
          b.setTitle("x".repeat(600));
          reason = Violation.INVALID_TOO_LONG;
        }
        default -> {
          b.setOccurredAt(Instant.ofEpochMilli(farFuture));
          reason = Violation.INVALID_FUTURE_TIME;
        }
      }
      bad = b;
    } else if (e.event instanceof AgentEvent b) {
      switch (variant) {
        case 0 -> {
          b.setCostMicros(-1 - faultRandom.nextLong(1_000_000));
          reason = Violation.INVALID_NEGATIVE;
        }
        case 1 -> {
          b.setAgentId("agent-" + Long.toHexString(faultRandom.nextLong()));
          reason = Violation.INVALID_UUID;
        }
        case 2 -> {
          b.setPerformanceScore(1.5);
          reason = Violation.INVALID_RANGE;
        }
        default -> {
          b.setOccurredAt(Instant.ofEpochMilli(farFuture));
          reason = Violation.INVALID_FUTURE_TIME;
        }
      }
      bad = b;
    } else {
      IntegrationEvent b = (IntegrationEvent) e.event;
      switch (variant) {
        case 0 -> {
          b.setLatencyMs(-1 - faultRandom.nextLong(1_000));
          reason = Violation.INVALID_NEGATIVE;
        }
        case 1 -> {
          b.setIntegrationType("");
          reason = Violation.INVALID_REQUIRED;
        }
        case 2 -> {
          b.setEventType("e".repeat(513));
          reason = Violation.INVALID_TOO_LONG;
        }
        default -> {
          b.setOccurredAt(Instant.ofEpochMilli(farFuture));
          reason = Violation.INVALID_FUTURE_TIME;
        }
      }
      bad = b;
    }
    return new Planned(i, e.family, e.org, bad, null, Injected.INVALID, reason);
  }

  private Planned poison(long i, Emitted e) {
    byte[] encoded = format.encode(e.event);
    for (int attempt = 0; ; attempt++) {
      int variant = attempt < 3 ? faultRandom.nextInt(3) : 0;
      byte[] bytes;
      if (variant == 0) {
        // Not single-object encoded at all: no C3 01 marker.
        bytes = new byte[16 + faultRandom.nextInt(200)];
        faultRandom.nextBytes(bytes);
        if (bytes[0] == (byte) 0xC3) {
          bytes[0] = 0x7B;
        }
      } else if (variant == 1) {
        // The marker, then a fingerprint no schema has.
        bytes = Arrays.copyOf(encoded, encoded.length);
        for (int k = 2; k < 10; k++) {
          bytes[k] = (byte) faultRandom.nextInt(256);
        }
      } else {
        // A real event cut short.
        bytes = Arrays.copyOf(encoded, 10 + (encoded.length - 10) / 3);
      }
      try {
        format.decode("poison", bytes);
      } catch (BadRecordException expected) {
        return new Planned(
            i, e.family, e.org, null, bytes, Injected.POISON, expected.reason().name());
      }
      // Decoded after all (vanishingly rare): draw again.
    }
  }

  /** Moves a fresh event (shared with nothing) to {@code at}. */
  private static SpecificRecord withTime(SpecificRecord event, long at) {
    Instant time = Instant.ofEpochMilli(at);
    if (event instanceof TaskEvent t) {
      t.setOccurredAt(time);
    } else if (event instanceof AgentEvent a) {
      a.setOccurredAt(time);
    } else {
      ((IntegrationEvent) event).setOccurredAt(time);
    }
    return event;
  }

  // ---------------------------------------------------------------- simulation

  private record Emitted(Family family, String org, SpecificRecord event) {}

  private Emitted emit(long at) {
    Pending due = pending.peek();
    if (due != null && due.dueMs <= at) {
      pending.poll();
      return due.step(this, at);
    }
    double r = random.nextDouble();
    Org org = pickOrg();
    if (r < 0.25) {
      return taskCreated(org, at);
    } else if (r < 0.70) {
      return agentStarted(org, at);
    }
    return integration(org, at);
  }

  private Org pickOrg() {
    double x = random.nextDouble() * orgCumulative[orgCumulative.length - 1];
    int i = Arrays.binarySearch(orgCumulative, x);
    return orgs[Math.min(orgs.length - 1, i < 0 ? -i - 1 : i)];
  }

  private String uuid() {
    return uuid(random);
  }

  static String uuid(SplittableRandom r) {
    long hi = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
    long lo = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return new UUID(hi, lo).toString();
  }

  /** exp(N(ln median, sigma)): a positive, right-skewed value around {@code median}. */
  private double logNormal(double median, double sigma) {
    return median * Math.exp(sigma * gaussian());
  }

  private double gaussian() {
    // Box-Muller from the seeded source (SplittableRandom has no nextGaussian on Java 17).
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  private static double round(double value, int decimals) {
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }

  private Emitted taskCreated(Org org, long at) {
    String project = org.projects[random.nextInt(org.projects.length)];
    String task = uuid();
    int priority = 1 + Math.min(4, (int) Math.floor(Math.abs(gaussian()) * 1.6));
    double estimated = Math.max(0.25, round(logNormal(4, 0.8) * 4, 0) / 4);
    String assignee =
        random.nextDouble() < 0.8 ? org.users[random.nextInt(org.users.length)] : null;
    String title = "Task " + (++taskNumber);
    TaskState s = new TaskState(org, project, task, priority, estimated, assignee, title);
    // Most tasks start within the hour; 5% are cancelled instead.
    long startDelay = (long) (-Math.log(1.0 - random.nextDouble()) * 20 * MINUTE);
    schedule(
        at + startDelay,
        s,
        random.nextDouble() < 0.05 ? TaskEventKind.CANCELLED : TaskEventKind.STARTED);
    return new Emitted(Family.TASK, org.id, task(s, TaskEventKind.CREATED, at, null, null));
  }

  private Emitted taskStep(TaskState s, TaskEventKind kind, long at) {
    if (kind == TaskEventKind.STARTED) {
      s.executionId = uuid();
      s.startedAt = at;
      long work = (long) Math.min(12 * HOUR, logNormal(45 * MINUTE, 1.0));
      schedule(
          at + work,
          s,
          random.nextDouble() < 0.85 ? TaskEventKind.COMPLETED : TaskEventKind.FAILED);
      return new Emitted(Family.TASK, s.org.id, task(s, kind, at, null, s.executionId));
    }
    Double actual =
        kind == TaskEventKind.CANCELLED ? null : round((at - s.startedAt) / (double) HOUR, 3);
    return new Emitted(
        Family.TASK,
        s.org.id,
        task(s, kind, at, actual, kind == TaskEventKind.CANCELLED ? null : s.executionId));
  }

  private TaskEvent task(TaskState s, TaskEventKind kind, long at, Double actual, String exec) {
    return TaskEvent.newBuilder()
        .setEventId(uuid())
        .setOccurredAt(Instant.ofEpochMilli(at))
        .setOrganizationId(s.org.id)
        .setProjectId(s.project)
        .setTaskId(s.task)
        .setKind(kind)
        .setPriority(s.priority)
        .setAssignedTo(s.assignee)
        .setTitle(s.title)
        .setEstimatedHours(s.estimated)
        .setActualHours(actual)
        .setExecutionId(exec)
        .setMetadata(Map.of("generator", "hourglass-load"))
        .build();
  }

  private Emitted agentStarted(Org org, long at) {
    Agent agent = org.agents[random.nextInt(org.agents.length)];
    String project =
        random.nextDouble() < 0.8 ? org.projects[random.nextInt(org.projects.length)] : null;
    RunState run = new RunState(org, agent, uuid(), project, at);
    long duration = (long) Math.min(HOUR, logNormal(40_000, 1.2));
    schedule(
        at + duration,
        run,
        random.nextDouble() < 0.9 ? AgentEventKind.COMPLETED : AgentEventKind.FAILED);
    return new Emitted(Family.AGENT, org.id, agent(run, AgentEventKind.STARTED, at, 0, null, null));
  }

  private Emitted agentFinished(RunState run, AgentEventKind kind, long at) {
    long tokens = (long) Math.min(2_000_000, logNormal(3_000, 1.3));
    Double score = null;
    if (kind == AgentEventKind.FAILED) {
      tokens = tokens / (2 + random.nextInt(8));
    } else {
      double u = random.nextDouble();
      score = round(1 - u * u * 0.6, 3);
    }
    return new Emitted(
        Family.AGENT, run.org.id, agent(run, kind, at, tokens, score, at - run.startedAt));
  }

  private AgentEvent agent(
      RunState run, AgentEventKind kind, long at, long tokens, Double score, Long durationMs) {
    return AgentEvent.newBuilder()
        .setEventId(uuid())
        .setOccurredAt(Instant.ofEpochMilli(at))
        .setOrganizationId(run.org.id)
        .setProjectId(run.project)
        .setAgentId(run.agent.id)
        .setAgentType(AGENT_TYPES[run.agent.type])
        .setAgentTaskId(run.runId)
        .setKind(kind)
        .setTokensUsed(tokens)
        .setCostMicros(tokens * MICROS_PER_TOKEN[run.agent.type])
        .setPerformanceScore(score)
        .setDurationMs(durationMs)
        .setRepository(run.agent.repository)
        .build();
  }

  private Emitted integration(Org org, long at) {
    Integration integration = org.integrations[random.nextInt(org.integrations.length)];
    boolean burst = integration.inBurst(at);
    boolean error = random.nextDouble() < (burst ? 0.6 : 0.02);
    long latency = (long) Math.min(60_000, logNormal(burst ? 480 : 120, 0.9));
    boolean processed = random.nextDouble() < (error ? 0.2 : 0.97);
    IntegrationEvent event =
        IntegrationEvent.newBuilder()
            .setEventId(uuid())
            .setOccurredAt(Instant.ofEpochMilli(at))
            .setOrganizationId(org.id)
            .setIntegrationType(integration.type)
            .setEventType(EVENT_TYPES[random.nextInt(EVENT_TYPES.length)])
            .setStatus(error ? IntegrationStatus.ERROR : IntegrationStatus.SUCCESS)
            .setProcessed(processed)
            .setLatencyMs(latency)
            .setPayload(
                random.nextDouble() < 0.5
                    ? null
                    : "{\"attempt\":" + (1 + random.nextInt(3)) + ",\"burst\":" + burst + "}")
            .build();
    return new Emitted(Family.INTEGRATION, org.id, event);
  }

  private void schedule(long dueMs, Object state, Enum<?> step) {
    pending.add(new Pending(dueMs, sequence++, state, step));
  }

  /** A lifecycle step that becomes due at {@code dueMs}; ties broken by creation order. */
  private record Pending(long dueMs, long sequence, Object state, Enum<?> step)
      implements Comparable<Pending> {
    @Override
    public int compareTo(Pending o) {
      int c = Long.compare(dueMs, o.dueMs);
      return c != 0 ? c : Long.compare(sequence, o.sequence);
    }

    Emitted step(EventGenerator g, long at) {
      if (state instanceof TaskState t) {
        return g.taskStep(t, (TaskEventKind) step, at);
      }
      return g.agentFinished((RunState) state, (AgentEventKind) step, at);
    }
  }

  private static final class TaskState {
    final Org org;
    final String project;
    final String task;
    final int priority;
    final double estimated;
    final String assignee;
    final String title;
    String executionId;
    long startedAt;

    TaskState(
        Org org,
        String project,
        String task,
        int priority,
        double estimated,
        String assignee,
        String title) {
      this.org = org;
      this.project = project;
      this.task = task;
      this.priority = priority;
      this.estimated = estimated;
      this.assignee = assignee;
      this.title = title;
    }
  }

  private record RunState(Org org, Agent agent, String runId, String project, long startedAt) {}

  // ---------------------------------------------------------------- the world

  private record Agent(String id, int type, String repository) {}

  private record Integration(String type, long[] bursts) {
    boolean inBurst(long at) {
      for (int k = 0; k < bursts.length; k += 2) {
        if (at >= bursts[k] && at < bursts[k + 1]) {
          return true;
        }
      }
      return false;
    }
  }

  private record Org(
      String id,
      double weight,
      String[] projects,
      String[] users,
      Agent[] agents,
      Integration[] integrations) {}

  private static Org[] world(SplittableRandom r, int count, long startMs, long spanMs) {
    String[] ids = new String[count];
    double[] weights = new double[count];
    double[] cumulative = new double[count];
    double total = 0;
    for (int i = 0; i < count; i++) {
      ids[i] = uuid(r);
      // Zipf-like sizes: a few large organizations, a long tail of small ones.
      weights[i] = 1.0 / Math.pow(i + 1, 0.9);
      total += weights[i];
      cumulative[i] = total;
    }
    int agentTotal = Math.max(MIN_AGENTS, 10 * count);
    List<List<Agent>> agents = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      agents.add(new ArrayList<>());
    }
    for (int a = 0; a < agentTotal; a++) {
      int org;
      if (a < count) {
        org = a;
      } else {
        int found = Arrays.binarySearch(cumulative, r.nextDouble() * total);
        org = Math.min(count - 1, found < 0 ? -found - 1 : found);
      }
      double x = r.nextDouble();
      int type = 0;
      for (double acc = AGENT_TYPE_WEIGHTS[0]; x >= acc && type < AGENT_TYPES.length - 1; ) {
        type++;
        acc += AGENT_TYPE_WEIGHTS[type];
      }
      agents.get(org).add(new Agent(uuid(r), type, "repo-" + (1 + r.nextInt(40))));
    }
    Org[] orgs = new Org[count];
    for (int i = 0; i < count; i++) {
      String[] projects = new String[2 + r.nextInt(9)];
      for (int k = 0; k < projects.length; k++) {
        projects[k] = uuid(r);
      }
      String[] users = new String[3 + r.nextInt(18)];
      for (int k = 0; k < users.length; k++) {
        users[k] = uuid(r);
      }
      List<String> types = new ArrayList<>(Arrays.asList(INTEGRATION_TYPES));
      Integration[] integrations = new Integration[2 + r.nextInt(7)];
      for (int k = 0; k < integrations.length; k++) {
        String type = types.remove(r.nextInt(types.size()));
        // About one error burst per integration every three hours, 5 to 30 minutes long.
        int bursts = r.nextInt((int) Math.max(1, 2 * spanMs / (3 * HOUR)) + 1);
        long[] b = new long[bursts * 2];
        for (int j = 0; j < bursts; j++) {
          b[2 * j] = startMs + r.nextLong(spanMs);
          b[2 * j + 1] = b[2 * j] + 5 * MINUTE + r.nextLong(25 * MINUTE);
        }
        integrations[k] = new Integration(type, b);
      }
      orgs[i] =
          new Org(
              ids[i],
              weights[i],
              projects,
              users,
              agents.get(i).toArray(new Agent[0]),
              integrations);
    }
    return orgs;
  }
}
