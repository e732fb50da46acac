package dev.hourglass.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.embedded.HourglassIT;
import dev.hourglass.embedded.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * For each query pattern the guide indexes for, the planner picks the intended index on a data set
 * large enough to prefer it (tens of thousands of rows, statistics fresh). One database for the
 * class: loading it is the slow part, and every test only reads.
 */
@HourglassIT
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IndexUsageIT {
  /** The organization most queries look at; every organization has the same shape of data. */
  private static final String ORG = "md5('org-7')::uuid";

  private static final Pattern INDEX_IN_PLAN =
      Pattern.compile(
          "(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\\w+)");

  private final Connection c;

  IndexUsageIT(TestDatabase db) throws SQLException {
    Sql.migrate(db);
    c = db.connect();
    load(c);
  }

  @AfterAll
  void close() throws SQLException {
    c.close();
  }

  @Test
  void shouldUseStatusPriorityIndexForGlobalQueueOfOpenTasks() throws SQLException {
    assertThat(
            indexesFor(
                "SELECT id FROM tasks WHERE status = 'pending' ORDER BY priority, created_at DESC"
                    + " LIMIT 20"))
        .contains("idx_tasks_status_priority_time");
  }

  @Test
  void shouldUseOrganizationIndexForActiveTasksOfOneOrganization() throws SQLException {
    assertThat(
            indexesFor(
                "SELECT t.id, t.title, t.status, t.priority, u.name, t.created_at FROM tasks t"
                    + " LEFT JOIN users u ON t.assigned_to = u.id WHERE t.organization_id = "
                    + ORG
                    + " AND t.status IN ('pending', 'in_progress', 'assigned')"
                    + " ORDER BY t.priority ASC, t.created_at DESC, t.id LIMIT 50"))
        .contains("idx_tasks_org_active_priority");
  }

  @Test
  void shouldUseStatusTimeIndexForRunningExecutions() throws SQLException {
    assertThat(
            indexesFor(
                "SELECT id, started_at FROM task_executions WHERE status = 'running'"
                    + " ORDER BY started_at DESC LIMIT 20"))
        .contains("idx_task_executions_status_time");
  }

  @Test
  void shouldUseStatusPriorityIndexForRunningAgentTasks() throws SQLException {
    assertThat(
            indexesFor(
                "SELECT id FROM agent_tasks WHERE status = 'running'"
                    + " ORDER BY priority, created_at DESC LIMIT 20"))
        .contains("idx_agent_tasks_status_priority");
  }

  @Test
  void shouldCombineRunningAndRecentlyCompletedPipelineIndexes() throws SQLException {
    assertThat(
            indexesFor(
                "SELECT id, status, started_at FROM pipeline_executions WHERE completed_at IS NULL"
                    + " OR completed_at >= now() - interval '7 days'"))
        .contains("idx_pipeline_executions_status_time", "idx_pipeline_executions_completed_time");
  }

  @Test
  void shouldUsePartialIndexForQueueOfUnprocessedIntegrationEvents() throws SQLException {
    assertThat(
            indexesFor(
                "SELECT id FROM integration_events WHERE integration_type = 'github'"
                    + " AND processed = false ORDER BY created_at DESC LIMIT 50"))
        .contains("idx_integration_events_processing");
  }

  @Test
  void shouldUseTypeTimeIndexForRecentIntegrationEvents() throws SQLException {
    assertThat(
            indexesFor(
                "SELECT id FROM integration_events WHERE integration_type = 'github'"
                    + " AND created_at >= now() - interval '1 day'"))
        .contains("idx_integration_events_type_created");
  }

  @Test
  void shouldAnswerProjectTaskListFromCoveringIndexAlone() throws SQLException {
    String sql =
        "SELECT title, created_at, assigned_to FROM tasks WHERE organization_id = "
            + ORG
            + " AND project_id = md5('project-7-1')::uuid AND status = 'completed' AND priority = 2";
    assertThat(indexesFor(sql)).contains("idx_tasks_org_project_status_priority");
    assertThat(plan(sql)).contains("Index Only Scan");
  }

  @Test
  void shouldAnswerAgentListFromCoveringIndexAlone() throws SQLException {
    String sql =
        "SELECT name, last_used_at, usage_stats FROM codegen_agents WHERE organization_id = "
            + ORG
            + " AND agent_type = 'review' AND is_active";
    assertThat(indexesFor(sql)).contains("idx_agents_org_type_active_performance");
    assertThat(plan(sql)).contains("Index Only Scan");
  }

  @Test
  void shouldUseMetricIndexForLatestValuesOfOneMetric() throws SQLException {
    assertThat(
            indexesFor(
                "SELECT value, unit, context, timestamp FROM system_metrics WHERE organization_id = "
                    + ORG
                    + " AND metric_name = 'cpu' ORDER BY timestamp DESC LIMIT 10"))
        .contains("idx_metrics_org_name_time_value");
  }

  @Test
  void shouldUsePartialConfidenceIndexForConfidentPatterns() throws SQLException {
    assertThat(
            indexesFor(
                "SELECT id FROM learning_patterns WHERE organization_id = "
                    + ORG
                    + " AND pattern_type = 'type-3' AND confidence_score >= 0.9"
                    + " ORDER BY confidence_score DESC"))
        .contains("idx_learning_patterns_org_type_confidence");
  }

  @Test
  void shouldUseJsonbPathIndexesForContainmentOnEachPath() throws SQLException {
    assertThat(indexesFor("SELECT id FROM tasks WHERE metadata -> 'type' @> '\"type-7\"'"))
        .contains("idx_tasks_metadata_type");
    assertThat(indexesFor("SELECT id FROM tasks WHERE metadata -> 'priority' @> '\"P7\"'"))
        .contains("idx_tasks_metadata_priority");
    assertThat(
            indexesFor("SELECT id FROM agent_tasks WHERE context -> 'repository' @> '\"repo-17\"'"))
        .contains("idx_agent_tasks_context_repo");
    assertThat(
            indexesFor(
                "SELECT id FROM learning_patterns WHERE pattern_data -> 'category' @> '\"cat-3\"'"))
        .contains("idx_learning_patterns_data_category");
    assertThat(indexesFor("SELECT id FROM projects WHERE settings -> 'features' @> '[\"sso\"]'"))
        .contains("idx_projects_settings_features");
    assertThat(
            indexesFor(
                "SELECT id FROM organizations WHERE settings -> 'limits' @> '{\"tier\": \"tier-9\"}'"))
        .contains("idx_organizations_settings_limits");
  }

  @Test
  void shouldUseTagIndexForTagContainment() throws SQLException {
    assertThat(indexesFor("SELECT id FROM knowledge_base WHERE tags @> ARRAY['tag-5']"))
        .contains("idx_knowledge_base_tags");
  }

  @Test
  void shouldUseFullTextIndexesForWordSearch() throws SQLException {
    assertThat(
            indexesFor(
                "SELECT id FROM tasks WHERE to_tsvector('english', coalesce(title, '') || ' ' ||"
                    + " coalesce(description, '')) @@ to_tsquery('english', 'zebra')"))
        .contains("idx_tasks_title_description_search");
    assertThat(
            indexesFor(
                "SELECT id FROM knowledge_base WHERE to_tsvector('english', title || ' ' ||"
                    + " content) @@ to_tsquery('english', 'zebra')"))
        .contains("idx_knowledge_base_content_search");
  }

  @Test
  void shouldUseTrigramIndexesForSubstringSearch() throws SQLException {
    assertThat(
            indexesFor(
                "SELECT id FROM tasks WHERE title ILIKE '%' || substr(md5('77'), 3, 8) || '%'"))
        .contains("idx_tasks_title_trgm");
    assertThat(
            indexesFor(
                "SELECT id FROM repositories WHERE name LIKE '%' || substr(md5('r77'), 3, 8) ||"
                    + " '%'"))
        .contains("idx_repositories_name_trgm");
    assertThat(
            indexesFor(
                "SELECT id FROM users WHERE (name || ' ' || email) ILIKE '%' ||"
                    + " substr(md5('u77'), 3, 8) || '%'"))
        .contains("idx_users_name_email_trgm");
  }

  @Test
  void shouldUsePartialIndexForActiveUsersOfOrganization() throws SQLException {
    assertThat(
            indexesFor(
                "SELECT name FROM users WHERE organization_id = "
                    + ORG
                    + " AND is_active = true ORDER BY name"))
        .contains("idx_active_users");
  }

  @Test
  void shouldReadOneOrganizationsRollupHoursThroughOrganizationWindowIndexes() throws SQLException {
    for (String table :
        List.of("task_rollups_hourly", "agent_rollups_hourly", "integration_rollups_hourly")) {
      assertThat(
              indexesFor(
                  "SELECT sum(event_count) FROM "
                      + table
                      + " WHERE organization_id = "
                      + ORG
                      + " AND window_start > now() - interval '30 days' - interval '1 hour'"))
          .as(table)
          .contains("idx_" + table + "_org_window");
    }
  }

  @Test
  void shouldReadOneOrganizationsDaysFromMaterializedViewIndexes() throws SQLException {
    assertThat(
            indexesFor(
                "SELECT * FROM mv_daily_task_summary WHERE organization_id = "
                    + ORG
                    + " AND date >= CURRENT_DATE - 7"))
        .contains("idx_mv_daily_task_summary_org_date");
    assertThat(
            indexesFor(
                "SELECT * FROM mv_agent_performance_summary WHERE organization_id = "
                    + ORG
                    + " AND date >= CURRENT_DATE - 7"))
        .contains("idx_mv_agent_performance_summary_org_date");
  }

  /** The plan's indexes; an index of a partition is named by its parent index. */
  private Set<String> indexesFor(String sql) throws SQLException {
    Set<String> out = new LinkedHashSet<>();
    Matcher m = INDEX_IN_PLAN.matcher(plan(sql));
    while (m.find()) {
      out.add(
          (String)
              Sql.value(
                  c,
                  "SELECT coalesce((SELECT p.relname::text FROM pg_inherits i"
                      + " JOIN pg_class p ON p.oid = i.inhparent"
                      + " WHERE i.inhrelid = ?::regclass), ?)",
                  m.group(1),
                  m.group(1)));
    }
    return out;
  }

  private String plan(String sql) throws SQLException {
    List<String> lines = new ArrayList<>();
    for (var row : Sql.tuples(c, "EXPLAIN (COSTS OFF) " + sql)) {
      lines.add((String) row.get(0));
    }
    return String.join("\n", lines);
  }

  /**
   * 50 organizations with all their data (plus 1,950 without, for the organizations table), spread
   * over the last 40 days; then VACUUM ANALYZE so statistics and visibility maps are fresh.
   */
  private static void load(Connection c) throws SQLException {
    Sql.exec(
        c,
        "INSERT INTO organizations (id, name, settings) SELECT md5('org-' || g)::uuid, 'org ' || g,"
            + " jsonb_build_object('limits', jsonb_build_object('tier', 'tier-' || (g % 100)))"
            + " FROM generate_series(0, 1999) g",
        "INSERT INTO projects (id, organization_id, name, settings)"
            + " SELECT md5('project-' || o || '-' || p)::uuid, md5('org-' || o)::uuid, 'p' || p,"
            + " jsonb_build_object('features', CASE WHEN p = 0 THEN '[\"sso\", \"audit\"]'::jsonb"
            + " ELSE '[\"audit\"]'::jsonb END)"
            + " FROM generate_series(0, 49) o, generate_series(0, 99) p",
        "INSERT INTO users (id, organization_id, name, email, is_active)"
            + " SELECT md5('user-' || g)::uuid, md5('org-' || (g % 50))::uuid,"
            + " 'user ' || md5('u' || g), 'u' || g || '@example.test', g % 5 <> 0"
            + " FROM generate_series(0, 4999) g",
        "INSERT INTO repositories (organization_id, project_id, name)"
            + " SELECT md5('org-' || (g % 50))::uuid, md5('project-' || (g % 50) || '-' || (g % 100))::uuid,"
            + " 'repo-' || md5('r' || g) FROM generate_series(0, 4999) g",
        "INSERT INTO tasks (id, organization_id, project_id, title, description, status, priority,"
            + " assigned_to, metadata, created_at)"
            + " SELECT md5('task-' || g)::uuid, md5('org-' || (g % 50))::uuid,"
            + " md5('project-' || (g % 50) || '-' || (g % 3))::uuid, 'Task ' || md5(g::text),"
            + " CASE WHEN g % 100 = 0 THEN 'feed the zebra' ELSE 'routine work item' END,"
            + " CASE WHEN g % 40 = 0 THEN 'pending' WHEN g % 40 = 1 THEN 'in_progress'"
            + " WHEN g % 40 = 2 THEN 'assigned' WHEN g % 40 = 3 THEN 'failed' ELSE 'completed' END,"
            + " 1 + g % 5, md5('user-' || ((g % 50) + 50 * (g % 100)))::uuid,"
            + " jsonb_build_object('type', 'type-' || (g % 100), 'priority', 'P' || (g % 50)),"
            + " now() - make_interval(mins => g) FROM generate_series(0, 59999) g",
        "INSERT INTO task_executions (organization_id, task_id, status, started_at, completed_at)"
            + " SELECT md5('org-' || (g % 50))::uuid, md5('task-' || g)::uuid,"
            + " CASE WHEN g % 50 = 0 THEN 'running' WHEN g % 50 = 1 THEN 'pending'"
            + " WHEN g % 50 = 2 THEN 'cancelled' ELSE 'completed' END,"
            + " now() - make_interval(mins => g), CASE WHEN g % 50 > 2 THEN now() END"
            + " FROM generate_series(0, 59999) g",
        "INSERT INTO codegen_agents (id, organization_id, name, agent_type, is_active)"
            + " SELECT md5('agent-' || g)::uuid, md5('org-' || (g % 50))::uuid, 'agent ' || g,"
            + " (ARRAY['codegen', 'review', 'test', 'docs', 'deploy'])[1 + (g / 50) % 5], g % 7 <> 0"
            + " FROM generate_series(0, 4999) g",
        "INSERT INTO agent_tasks (organization_id, agent_id, status, priority, context, created_at)"
            + " SELECT md5('org-' || (g % 50))::uuid, md5('agent-' || (g % 5000))::uuid,"
            + " CASE WHEN g % 100 = 0 THEN 'running' WHEN g % 2 = 0 THEN 'archived'"
            + " ELSE 'completed' END, 1 + g % 5,"
            + " jsonb_build_object('repository', 'repo-' || (g % 200)),"
            + " now() - make_interval(mins => g) FROM generate_series(0, 39999) g",
        "INSERT INTO pipeline_executions (organization_id, pipeline_name, status, started_at,"
            + " completed_at)"
            + " SELECT md5('org-' || (g % 50))::uuid, 'ci', CASE WHEN g < 30 THEN 'running'"
            + " ELSE 'completed' END, now() - make_interval(hours => g / 2),"
            + " CASE WHEN g >= 30 THEN now() - make_interval(hours => g / 2) + interval '10 minutes' END"
            + " FROM generate_series(0, 19999) g",
        "INSERT INTO integration_events (organization_id, integration_type, event_type, status,"
            + " processed, created_at)"
            + " SELECT md5('org-' || (g % 50))::uuid,"
            + " (ARRAY['github', 'linear', 'slack', 'jira', 'pagerduty'])[1 + g % 5], 'push',"
            + " 'success', g % 200 <> 0, now() - make_interval(secs => g * 80)"
            + " FROM generate_series(0, 59999) g",
        "INSERT INTO system_metrics (organization_id, metric_name, metric_type, value, unit,"
            + " timestamp)"
            + " SELECT md5('org-' || (g % 50))::uuid, 'metric-' || (g / 50 % 20), 'gauge', g % 97,"
            + " 'ms', now() - make_interval(secs => g * 80) FROM generate_series(0, 59999) g",
        "UPDATE system_metrics SET metric_name = 'cpu' WHERE metric_name = 'metric-0'",
        "INSERT INTO learning_patterns (organization_id, pattern_type, pattern_data,"
            + " confidence_score)"
            + " SELECT md5('org-' || (g % 50))::uuid, 'type-' || (g / 50 % 10),"
            + " jsonb_build_object('category', 'cat-' || (g % 100)), (g % 1000) / 1000.0"
            + " FROM generate_series(0, 39999) g",
        "INSERT INTO knowledge_base (organization_id, title, content, tags)"
            + " SELECT md5('org-' || (g % 50))::uuid, 'Article ' || g,"
            + " CASE WHEN g % 100 = 0 THEN 'about the zebra' ELSE 'about routine things' END,"
            + " ARRAY['tag-' || (g % 200), 'tag-' || ((g + 1) % 200)]"
            + " FROM generate_series(0, 19999) g",
        rollups("task_rollups_hourly", "project_id", "md5('project-' || o || '-' || e)::uuid"),
        rollups(
            "agent_rollups_hourly",
            "agent_id, agent_type",
            "md5('agent-' || (o + 50 * e))::uuid, 'codegen'"),
        rollups("integration_rollups_hourly", "integration_type", "'type-' || e"),
        "SELECT refresh_performance_views()",
        "VACUUM ANALYZE");
  }

  /** 50 organizations × 3 entities × 24 hours × 40 days of rollup rows. */
  private static String rollups(String table, String keyColumns, String keyValues) {
    return "INSERT INTO "
        + table
        + " (organization_id, "
        + keyColumns
        + ", window_start, window_end, event_count)"
        + " SELECT md5('org-' || o)::uuid, "
        + keyValues
        + ", w, w + interval '1 hour', 1"
        + " FROM generate_series(0, 49) o, generate_series(0, 2) e,"
        + " generate_series(date_trunc('hour', now()) - interval '40 days', date_trunc('hour',"
        + " now()), interval '1 hour') w";
  }
}
