-- name: trend
-- description: One metric per commit along a branch's first-parent history, oldest first.
-- param: :metric     the metric (default 'p95_time_ms')
-- param: :branch     the branch; its newest run's commit is the head (default 'main', or 'master' when no run is on main)
-- param: :benchmark  only benchmarks matching this GLOB pattern (default: all)
-- param: :machine    the machine name (default: the machine of the branch's newest run)
-- param: :last       at most this many commits with results (default 100)
-- The value at a commit is the mean over that commit's runs on the machine.
-- PostgreSQL's version of queries/trend.sql: the same parameters and answers. In psql, give parameters as
-- variables: psql -v branch=main -f queries/postgres/trend.sql (the lines below make the rest NULL).
\if :{?metric} \else \set metric '' \endif
\if :{?branch} \else \set branch '' \endif
\if :{?benchmark} \else \set benchmark '' \endif
\if :{?machine} \else \set machine '' \endif
\if :{?last} \else \set last '' \endif
WITH RECURSIVE
head AS (
    SELECT commit_sha AS sha, machine FROM hh_runs
    WHERE branch = coalesce(nullif(:'branch', ''), (SELECT branch FROM hh_runs WHERE branch IN ('main', 'master') ORDER BY branch = 'main' DESC LIMIT 1), 'main') AND commit_sha IS NOT NULL
    ORDER BY recorded_at DESC, run_id DESC LIMIT 1
),
history(sha, depth) AS (
    SELECT sha, 0 FROM head
    UNION ALL
    SELECT c.first_parent, h.depth + 1 FROM history h JOIN hh_commits c ON c.sha = h.sha
    WHERE c.first_parent IS NOT NULL AND h.depth < 1000000
),
recorded AS (
    SELECT h.sha, h.depth FROM history h
    WHERE EXISTS (SELECT 1 FROM hh_runs r WHERE r.commit_sha = h.sha AND r.machine = coalesce(nullif(:'machine', ''), (SELECT machine FROM head)))
    ORDER BY h.depth LIMIT coalesce(CAST(nullif(:'last', '') AS integer), 100)
)
SELECT ROW_NUMBER() OVER (PARTITION BY m.benchmark, m.params ORDER BY rc.depth DESC) - 1 AS position,
       substr(rc.sha, 1, 12) AS commit_sha,
       c.subject,
       m.benchmark,
       m.params,
       m.metric,
       avg(m.value) AS value,
       m.unit,
       count(*) AS runs
FROM recorded rc
JOIN hh_measurements m ON m.commit_sha = rc.sha
    AND m.metric = coalesce(nullif(:'metric', ''), 'p95_time_ms')
    AND hh_glob(m.benchmark, coalesce(nullif(:'benchmark', ''), '*'))
    AND m.machine = coalesce(nullif(:'machine', ''), (SELECT machine FROM head))
LEFT JOIN hh_commits c ON c.sha = rc.sha
-- PostgreSQL wants every selected column grouped; each is one value per commit and series anyway.
GROUP BY rc.sha, rc.depth, c.subject, m.benchmark, m.params, m.metric, m.unit
ORDER BY m.benchmark COLLATE "C", m.params COLLATE "C", rc.depth DESC;
