-- name: budgets
-- description: Values of a commit's runs past absolute limits given as a parameter.
-- param: :budgets  a JSON object of metric limits, e.g. '{"p95_time_ms": 100, "error_rate": 0.01, "throughput_ops_per_sec": 500}' (default '{}')
-- param: :commit   the commit, full sha or a prefix (default: the newest run's commit, or that run alone when it has no commit)
-- param: :benchmark  only benchmarks matching this GLOB pattern (default: all)
-- A limit is a maximum for lower-is-better metrics and a minimum for higher-is-better ones.
WITH
limits AS (
    SELECT key AS metric, value AS limit_value FROM json_each(coalesce(:budgets, '{}'))
),
newest AS (
    SELECT run_id, commit_sha FROM hh_runs ORDER BY recorded_at DESC, run_id DESC LIMIT 1
),
-- A gate must not pass because the runs have no commit: then the newest run is the one checked.
runs_of_commit AS (
    SELECT run_id FROM hh_runs
    WHERE CASE WHEN :commit IS NOT NULL THEN commit_sha LIKE :commit || '%'
               WHEN (SELECT commit_sha FROM newest) IS NULL THEN run_id = (SELECT run_id FROM newest)
               ELSE commit_sha = (SELECT commit_sha FROM newest) END
)
SELECT m.benchmark,
       m.params,
       m.metric,
       m.value,
       l.limit_value AS budget,
       m.unit,
       m.direction,
       substr(m.commit_sha, 1, 12) AS commit_sha,
       m.run_id
FROM hh_measurements m
JOIN limits l ON l.metric = m.metric
WHERE m.run_id IN (SELECT run_id FROM runs_of_commit)
  AND m.benchmark GLOB coalesce(:benchmark, '*')
  AND CASE m.direction WHEN 'lower_is_better' THEN m.value > l.limit_value ELSE m.value < l.limit_value END
ORDER BY m.benchmark, m.metric, m.run_id;
