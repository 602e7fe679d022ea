-- name: regressions
-- description: The runs of a commit against the baseline of a branch, rows only where a metric got worse by more than :threshold_pct.
-- param: :commit         the candidate commit, full sha or a prefix (default: the newest run's commit, or that run alone when it has no commit)
-- param: :branch         the baseline branch (default 'main', or 'master' when no run is on main)
-- param: :window         baseline commits with results (default 10)
-- param: :threshold_pct  the smallest change worth a row, in percent, in the metric's worse direction (default 10)
-- param: :metric         only metrics matching this GLOB pattern (default: all)
-- The baseline is the median over the window's runs on the candidate's machine; the candidate
-- value is the mean over its runs. change_pct > 0 is worse, whatever the metric's direction.
-- Run facts (rounds, iterations, sample counts, exit codes) are not compared.
-- (hhbench compare does this with a noise model; this is the plain-SQL gate.)
-- PostgreSQL's version of queries/regressions.sql: the same parameters and answers. In psql, give parameters as
-- variables: psql -v branch=main -f queries/postgres/regressions.sql (the lines below make the rest NULL).
\if :{?commit} \else \set commit '' \endif
\if :{?branch} \else \set branch '' \endif
\if :{?window} \else \set window '' \endif
\if :{?threshold_pct} \else \set threshold_pct '' \endif
\if :{?metric} \else \set metric '' \endif
WITH RECURSIVE
newest AS (
    SELECT run_id, commit_sha FROM hh_runs ORDER BY recorded_at DESC, run_id DESC LIMIT 1
),
-- A gate must not pass because the runs have no commit: then the newest run is the candidate.
candidate_runs AS (
    SELECT run_id, commit_sha, machine FROM hh_runs
    WHERE CASE WHEN nullif(:'commit', '') IS NOT NULL THEN commit_sha LIKE nullif(:'commit', '') || '%'
               WHEN (SELECT commit_sha FROM newest) IS NULL THEN run_id = (SELECT run_id FROM newest)
               ELSE commit_sha = (SELECT commit_sha FROM newest) END
),
candidate AS (
    SELECT m.benchmark, m.params, m.metric, m.unit, m.direction, avg(m.value) AS value, count(*) AS runs
    FROM hh_measurements m JOIN candidate_runs c ON c.run_id = m.run_id
    WHERE hh_glob(m.metric, coalesce(nullif(:'metric', ''), '*'))
      -- Counts that describe how a run was made are run facts, not performance.
      AND m.metric NOT IN ('rounds', 'iterations', 'iterations_per_round', 'sample_count', 'exit_code', 'warmup_iterations', 'repetitions')
    GROUP BY m.benchmark, m.params, m.metric, m.unit, m.direction
),
head AS (
    SELECT commit_sha AS sha FROM hh_runs
    WHERE branch = coalesce(nullif(:'branch', ''), (SELECT branch FROM hh_runs WHERE branch IN ('main', 'master') ORDER BY branch = 'main' DESC LIMIT 1), 'main') AND commit_sha IS NOT NULL
      AND commit_sha NOT IN (SELECT commit_sha FROM candidate_runs WHERE commit_sha IS NOT NULL)
    ORDER BY recorded_at DESC, run_id DESC LIMIT 1
),
history(sha, depth) AS (
    SELECT sha, 0 FROM head
    UNION ALL
    SELECT c.first_parent, h.depth + 1 FROM history h JOIN hh_commits c ON c.sha = h.sha
    WHERE c.first_parent IS NOT NULL AND h.depth < 1000000
),
window_commits AS (
    SELECT h.sha FROM history h
    WHERE h.sha NOT IN (SELECT commit_sha FROM candidate_runs WHERE commit_sha IS NOT NULL)
      AND EXISTS (SELECT 1 FROM hh_runs r WHERE r.commit_sha = h.sha AND r.machine IN (SELECT machine FROM candidate_runs))
    ORDER BY h.depth LIMIT coalesce(CAST(nullif(:'window', '') AS integer), 10)
),
ranked AS (
    SELECT m.benchmark, m.params, m.metric, m.value,
           ROW_NUMBER() OVER (PARTITION BY m.benchmark, m.params, m.metric ORDER BY m.value) AS rank,
           COUNT(*) OVER (PARTITION BY m.benchmark, m.params, m.metric) AS n
    FROM hh_measurements m JOIN window_commits w ON w.sha = m.commit_sha
    WHERE m.machine IN (SELECT machine FROM candidate_runs)
),
baseline AS (
    SELECT benchmark, params, metric, avg(CASE WHEN rank IN ((n + 1) / 2, (n + 2) / 2) THEN value END) AS median, max(n) AS values_count
    FROM ranked GROUP BY benchmark, params, metric
)
SELECT c.benchmark,
       c.params,
       c.metric,
       c.unit,
       c.direction,
       b.median AS baseline,
       c.value AS candidate,
       round(CAST((c.value / b.median - 1) * 100 * CASE c.direction WHEN 'lower_is_better' THEN 1 ELSE -1 END AS numeric), 2) AS change_pct,
       b.values_count AS baseline_values,
       c.runs AS candidate_runs
FROM candidate c JOIN baseline b USING (benchmark, params, metric)
WHERE b.median <> 0
  AND (c.value / b.median - 1) * 100 * CASE c.direction WHEN 'lower_is_better' THEN 1 ELSE -1 END > coalesce(CAST(nullif(:'threshold_pct', '') AS double precision), 10)
ORDER BY change_pct DESC, c.benchmark COLLATE "C", c.metric COLLATE "C";
