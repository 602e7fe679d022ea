-- hh_glob(value, pattern): SQLite's GLOB on PostgreSQL, for `prune --keep-branch 'release/*'`
-- and the shipped queries' :metric and :benchmark patterns. `*` is any text, `?` one character,
-- `[...]` and `[^...]` a character class; case-sensitive, anchored at both ends, NULL when either
-- side is NULL. The pattern becomes a regular expression: every other character that means
-- something to one is escaped first.
CREATE FUNCTION hh_glob(value TEXT, pattern TEXT) RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT value ~ ('^' || replace(replace(replace(
           regexp_replace(pattern, '([.+(){}|\\$^])', '\\\1', 'g'),
           '[\^', '[^'), '*', '.*'), '?', '.') || '$')
$$;
