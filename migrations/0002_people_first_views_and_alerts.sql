-- 0002: the views put what a person looks for first (benchmark, metric, value, unit, the short
-- commit, time), with long ids last, so Datasette and `SELECT *` open on readable rows; every
-- column of 0001 is kept with its meaning, and `commit` (the sha's first 10 characters) is new.
-- And the alerts hhbench delivered, so the same alert is not sent twice for the same run.

DROP VIEW hh_measurements;
CREATE VIEW hh_measurements AS
SELECT b.name         AS benchmark,
       mt.name        AS metric,
       ms.value,
       mt.unit,
       substr(r.commit_sha, 1, 10) AS "commit",
       r.recorded_at,
       r.branch,
       mc.name        AS machine,
       b.group_name   AS benchmark_group,
       b.params       AS params,
       mt.direction,
       ms.derived,
       r.commit_sha,
       r.id           AS run_id,
       r.uuid         AS run_uuid,
       mc.fingerprint AS machine_fingerprint
FROM measurements ms
JOIN runs r        ON r.id = ms.run_id
JOIN machines mc   ON mc.id = r.machine_id
JOIN benchmarks b  ON b.id = ms.benchmark_id
JOIN metrics mt    ON mt.id = ms.metric_id;

DROP VIEW hh_samples;
CREATE VIEW hh_samples AS
SELECT b.name         AS benchmark,
       mt.name        AS series,
       CAST(j.key AS INTEGER) AS idx,
       j.value / s.divisor    AS value,
       mt.unit,
       substr(r.commit_sha, 1, 10) AS "commit",
       r.recorded_at,
       r.branch,
       mc.name        AS machine,
       b.group_name   AS benchmark_group,
       b.params       AS params,
       mt.direction,
       r.commit_sha,
       r.id           AS run_id,
       r.uuid         AS run_uuid
FROM sample_series s
JOIN runs r        ON r.id = s.run_id
JOIN machines mc   ON mc.id = r.machine_id
JOIN benchmarks b  ON b.id = s.benchmark_id
JOIN metrics mt    ON mt.id = s.metric_id
JOIN json_each(s.samples) j;

DROP VIEW hh_runs;
CREATE VIEW hh_runs AS
SELECT substr(r.commit_sha, 1, 10) AS "commit",
       c.subject       AS commit_subject,
       r.recorded_at,
       r.branch,
       m.name          AS machine,
       r.source_format,
       r.tool,
       r.tool_version,
       r.toolchain,
       r.dirty,
       r.ci_provider,
       r.ci_job_url,
       r.command_line,
       r.tags,
       r.started_at,
       r.finished_at,
       c.committed_at  AS commit_time,
       r.commit_sha,
       c.first_parent  AS parent_sha,
       r.id            AS run_id,
       r.uuid          AS run_uuid,
       m.fingerprint   AS machine_fingerprint,
       r.context,
       r.content_hash
FROM runs r
JOIN machines m ON m.id = r.machine_id
LEFT JOIN commits c ON c.sha = r.commit_sha;

DROP VIEW hh_commits;
CREATE VIEW hh_commits AS
SELECT substr(c.sha, 1, 10) AS "commit",
       c.subject,
       c.author_name,
       c.committed_at,
       c.author_email,
       c.sha,
       c.first_parent,
       c.parents
FROM commits c;

-- One row per alert delivered (or given up on) by `--notify`. `alert_key` is the SHA-256 of the
-- destination, the candidate runs, the series and the verdict: the same alert for the same runs
-- is sent once. The destination is kept only as that hash: webhook URLs are secrets.
CREATE TABLE alert_deliveries (
    id           INTEGER PRIMARY KEY,
    alert_key    TEXT NOT NULL UNIQUE,
    run_uuid     TEXT,
    benchmark    TEXT NOT NULL,
    metric       TEXT NOT NULL,
    verdict      TEXT NOT NULL,
    delivered_at TEXT NOT NULL,
    attempts     INTEGER NOT NULL,
    http_status  INTEGER
) STRICT;
