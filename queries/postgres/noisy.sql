-- name: noisy
-- description: Series whose coefficient of variation over the window is above a limit: candidates for more samples or for leaving out of gating.
-- param: :branch      the branch (default 'main', or 'master' when no run is on main)
-- param: :window      how many commits with results (default 10)
-- param: :max_cv_pct  the largest acceptable coefficient of variation, in percent (default 10)
-- param: :metric      only metrics matching this GLOB pattern (default: all)
-- param: :machine     the machine name (default: the machine of the branch's newest run)
-- cv_pct = sample standard deviation / |mean| x 100 over every run in the window.
-- PostgreSQL's version of queries/noisy.sql: the same parameters and answers. In psql, give parameters as
-- variables: psql -v branch=main -f queries/postgres/noisy.sql (the lines below make the rest NULL).
\if :{?branch} \else \set branch '' \endif
\if :{?window} \else \set window '' \endif
\if :{?max_cv_pct} \else \set max_cv_pct '' \endif
\if :{?metric} \else \set metric '' \endif
\if :{?machine} \else \set machine '' \endif
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
window_commits AS (
    SELECT h.sha FROM history h
    WHERE EXISTS (SELECT 1 FROM hh_runs r WHERE r.commit_sha = h.sha AND r.machine = coalesce(nullif(:'machine', ''), (SELECT machine FROM head)))
    ORDER BY h.depth LIMIT coalesce(CAST(nullif(:'window', '') AS integer), 10)
),
stats AS (
    SELECT m.benchmark, m.params, m.metric, m.unit, count(*) AS n, avg(m.value) AS mean,
           CASE WHEN count(*) > 1
                THEN sqrt(greatest(0, (sum(m.value * m.value) - sum(m.value) * sum(m.value) / count(*)) / (count(*) - 1))) END AS std_dev
    FROM hh_measurements m JOIN window_commits w ON w.sha = m.commit_sha
    WHERE m.machine = coalesce(nullif(:'machine', ''), (SELECT machine FROM head))
      AND hh_glob(m.metric, coalesce(nullif(:'metric', ''), '*'))
    GROUP BY m.benchmark, m.params, m.metric, m.unit
)
SELECT benchmark, params, metric, unit, n, mean, std_dev, round(CAST(std_dev / abs(mean) * 100 AS numeric), 2) AS cv_pct
FROM stats
WHERE n > 1 AND mean <> 0 AND std_dev / abs(mean) * 100 > coalesce(CAST(nullif(:'max_cv_pct', '') AS double precision), 10)
ORDER BY cv_pct DESC, benchmark COLLATE "C", metric COLLATE "C";
