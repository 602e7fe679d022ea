-- name: budgets
-- description: Values of a commit's runs past absolute limits given as a parameter.
-- param: :budgets  a JSON object of metric limits, e.g. '{"p95_time_ms": 100, "error_rate": 0.01, "throughput_ops_per_sec": 500}' (default '{}')
-- param: :commit   the commit, full sha or a prefix (default: the newest run's commit, or that run alone when it has no commit)
-- param: :benchmark  only benchmarks matching this GLOB pattern (default: all)
-- A limit is a maximum for lower-is-better metrics and a minimum for higher-is-better ones.
-- PostgreSQL's version of queries/budgets.sql: the same parameters and answers. In psql, give parameters as
-- variables: psql -v branch=main -f queries/postgres/budgets.sql (the lines below make the rest NULL).
\if :{?budgets} \else \set budgets '' \endif
\if :{?commit} \else \set commit '' \endif
\if :{?benchmark} \else \set benchmark '' \endif
WITH
limits AS (
    SELECT key AS metric, CAST(value AS numeric) AS limit_value FROM jsonb_each_text(CAST(coalesce(nullif(:'budgets', ''), '{}') AS jsonb))
),
newest AS (
    SELECT run_id, commit_sha FROM hh_runs ORDER BY recorded_at DESC, run_id DESC LIMIT 1
),
-- A gate must not pass because the runs have no commit: then the newest run is the one checked.
runs_of_commit AS (
    SELECT run_id FROM hh_runs
    WHERE CASE WHEN nullif(:'commit', '') IS NOT NULL THEN commit_sha LIKE nullif(:'commit', '') || '%'
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
  AND hh_glob(m.benchmark, coalesce(nullif(:'benchmark', ''), '*'))
  AND CASE m.direction WHEN 'lower_is_better' THEN m.value > l.limit_value ELSE m.value < l.limit_value END
ORDER BY m.benchmark COLLATE "C", m.metric COLLATE "C", m.run_id;
