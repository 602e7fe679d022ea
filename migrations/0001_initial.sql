-- 0001_initial: the results warehouse.
--
-- Values are stored in the unit their metric declares; conversion happens only for display.
-- Times are ISO 8601 UTC text ("2026-11-27T13:40:38.123Z"), which sorts and compares as text.
-- Users query the hh_* views (docs/SCHEMA.md); the tables below them may gain columns in
-- later migrations, the views keep their columns.

CREATE TABLE commits (
    sha          TEXT PRIMARY KEY NOT NULL,
    -- JSON array of parent shas, first parent first; '[]' for a root commit or when unknown.
    parents      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(parents) AND json_type(parents) = 'array'),
    -- The first parent, kept as its own column so first-parent walks are one indexed recursive CTE.
    first_parent TEXT,
    author_name  TEXT,
    author_email TEXT,
    committed_at TEXT,
    subject      TEXT
) STRICT;
CREATE INDEX commits_first_parent ON commits(first_parent);

CREATE TABLE machines (
    id          INTEGER PRIMARY KEY,
    -- SHA-256 of name, OS, kernel, architecture, CPU model, cores and memory: runs compare only
    -- against runs with the same fingerprint.
    fingerprint TEXT NOT NULL UNIQUE,
    -- The hostname, or the name given with --machine / HHBENCH_MACHINE (CI hostnames change per job).
    name        TEXT NOT NULL,
    hostname    TEXT,
    os          TEXT,
    kernel      TEXT,
    arch        TEXT,
    cpu_model   TEXT,
    cpu_cores   INTEGER,
    memory_bytes INTEGER
) STRICT;
CREATE INDEX machines_name ON machines(name);

CREATE TABLE runs (
    id             INTEGER PRIMARY KEY,
    -- Globally unique (UUID version 7), so databases from parallel jobs merge without collisions.
    uuid           TEXT NOT NULL UNIQUE,
    recorded_at    TEXT NOT NULL,
    started_at     TEXT,
    finished_at    TEXT,
    commit_sha     TEXT REFERENCES commits(sha),
    branch         TEXT,
    dirty          INTEGER CHECK (dirty IN (0, 1)),
    machine_id     INTEGER NOT NULL REFERENCES machines(id),
    -- The input format ("native", "pytest-benchmark", "hyperfine", ...) and the tool that wrote it.
    source_format  TEXT NOT NULL,
    tool           TEXT,
    tool_version   TEXT,
    command_line   TEXT,
    toolchain      TEXT,
    ci_provider    TEXT,
    ci_job_url     TEXT,
    tags           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(tags) AND json_type(tags) = 'object'),
    -- Everything else the input carried about its run (an adapter's machine_info, say), as JSON.
    context        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(context) AND json_type(context) = 'object'),
    -- SHA-256 of the input bytes: the same input for the same commit and machine is recorded once.
    content_hash   TEXT NOT NULL
) STRICT;
CREATE INDEX runs_commit ON runs(commit_sha, machine_id);
CREATE INDEX runs_branch ON runs(branch, recorded_at);
CREATE INDEX runs_recorded ON runs(recorded_at);
CREATE INDEX runs_content ON runs(content_hash);

CREATE TABLE benchmarks (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    group_name TEXT NOT NULL DEFAULT '',
    -- Canonical JSON object (keys sorted), '{}' when the benchmark has no parameters.
    params     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params) AND json_type(params) = 'object'),
    UNIQUE (name, group_name, params)
) STRICT;

CREATE TABLE metrics (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    unit      TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('lower_is_better', 'higher_is_better')),
    UNIQUE (name, unit, direction)
) STRICT;

-- One value per run x benchmark x metric.
CREATE TABLE measurements (
    run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    benchmark_id INTEGER NOT NULL REFERENCES benchmarks(id),
    metric_id    INTEGER NOT NULL REFERENCES metrics(id),
    value        REAL NOT NULL,
    -- 1 when hhbench computed the value from raw samples (avg_time_ms from time_ms), 0 when given.
    derived      INTEGER NOT NULL DEFAULT 0 CHECK (derived IN (0, 1)),
    PRIMARY KEY (run_id, benchmark_id, metric_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX measurements_series ON measurements(benchmark_id, metric_id);
CREATE INDEX measurements_metric ON measurements(metric_id);

-- Every raw sample, in recorded order: one row per run x benchmark x series.
-- `samples` is a JSON array of integers; sample i is samples[i] / divisor, exactly (divisor is
-- a power of ten, so a value written as 0.051234 is kept as 51234 / 1e6 and reads back as the
-- same double). Values that have no short decimal form are kept as JSON numbers with divisor 1.
-- The hh_samples view unpacks this into one row per sample.
CREATE TABLE sample_series (
    id           INTEGER PRIMARY KEY,
    run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    benchmark_id INTEGER NOT NULL REFERENCES benchmarks(id),
    metric_id    INTEGER NOT NULL REFERENCES metrics(id),
    count        INTEGER NOT NULL CHECK (count > 0),
    divisor      REAL NOT NULL DEFAULT 1 CHECK (divisor >= 1),
    samples      TEXT NOT NULL,
    UNIQUE (run_id, benchmark_id, metric_id)
) STRICT;
CREATE INDEX sample_series_series ON sample_series(benchmark_id, metric_id);

-- The stable interface. Columns are documented in docs/SCHEMA.md.

CREATE VIEW hh_runs AS
SELECT r.id            AS run_id,
       r.uuid          AS run_uuid,
       r.recorded_at,
       r.started_at,
       r.finished_at,
       r.commit_sha,
       c.first_parent  AS parent_sha,
       c.subject       AS commit_subject,
       c.committed_at  AS commit_time,
       r.branch,
       r.dirty,
       m.name          AS machine,
       m.fingerprint   AS machine_fingerprint,
       r.source_format,
       r.tool,
       r.tool_version,
       r.command_line,
       r.toolchain,
       r.ci_provider,
       r.ci_job_url,
       r.tags,
       r.context,
       r.content_hash
FROM runs r
JOIN machines m ON m.id = r.machine_id
LEFT JOIN commits c ON c.sha = r.commit_sha;

CREATE VIEW hh_commits AS
SELECT c.sha,
       c.first_parent,
       c.parents,
       c.author_name,
       c.author_email,
       c.committed_at,
       c.subject
FROM commits c;

CREATE VIEW hh_measurements AS
SELECT r.id           AS run_id,
       r.uuid         AS run_uuid,
       r.commit_sha,
       r.branch,
       mc.name        AS machine,
       mc.fingerprint AS machine_fingerprint,
       r.recorded_at,
       b.name         AS benchmark,
       b.group_name   AS benchmark_group,
       b.params       AS params,
       mt.name        AS metric,
       mt.unit,
       mt.direction,
       ms.value,
       ms.derived
FROM measurements ms
JOIN runs r        ON r.id = ms.run_id
JOIN machines mc   ON mc.id = r.machine_id
JOIN benchmarks b  ON b.id = ms.benchmark_id
JOIN metrics mt    ON mt.id = ms.metric_id;

CREATE VIEW hh_samples AS
SELECT r.id           AS run_id,
       r.uuid         AS run_uuid,
       r.commit_sha,
       r.branch,
       mc.name        AS machine,
       r.recorded_at,
       b.name         AS benchmark,
       b.group_name   AS benchmark_group,
       b.params       AS params,
       mt.name        AS series,
       mt.unit,
       mt.direction,
       CAST(j.key AS INTEGER) AS idx,
       j.value / s.divisor    AS value
FROM sample_series s
JOIN runs r        ON r.id = s.run_id
JOIN machines mc   ON mc.id = r.machine_id
JOIN benchmarks b  ON b.id = s.benchmark_id
JOIN metrics mt    ON mt.id = s.metric_id
JOIN json_each(s.samples) j;
