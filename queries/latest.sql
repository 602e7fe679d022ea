-- name: latest
-- description: The newest value of every benchmark x metric on a branch.
-- param: :branch  the branch (default 'main', or 'master' when no run is on main)
-- param: :metric  only this metric, a GLOB pattern (default: every metric)
SELECT benchmark,
       params,
       metric,
       value,
       unit,
       direction,
       substr(commit_sha, 1, 12) AS commit_sha,
       recorded_at,
       run_id
FROM (
    SELECT m.*,
           ROW_NUMBER() OVER (PARTITION BY m.benchmark, m.params, m.metric ORDER BY m.recorded_at DESC, m.run_id DESC) AS newest
    FROM hh_measurements m
    WHERE m.branch = coalesce(:branch, (SELECT branch FROM hh_runs WHERE branch IN ('main', 'master') ORDER BY branch = 'main' DESC LIMIT 1), 'main')
      AND m.metric GLOB coalesce(:metric, '*')
)
WHERE newest = 1
ORDER BY benchmark, params, metric;
