import Foundation
import GRDB
import Testing
import Warehouse

/// The PostgreSQL warehouse against a real server (`PostgresServer`: initdb and pg_ctl, started by
/// the tests), through the built binary.
@Suite struct PostgresWarehouseTests {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures").path
    static var realFiles: [String] {
        ["pytest-benchmark/run1.json", "pytest-benchmark/run3-slow.json", "hyperfine/run1.json", "google-benchmark/reps5-run1.json"]
            .map { fixtures + "/" + $0 }
    }
    static let commit = "1111111111111111111111111111111111111111"

    /// Records `files` into `database` at a fixed commit and machine, from a folder outside git.
    static func record(_ files: [String], into database: String, in folder: String, extra: [String] = [],
                       environment: [String: String] = [:]) throws -> ProcessResult {
        try hhbench(["record", "--db", database, "--commit", commit, "--branch", "main", "--machine", "ci-1"] + extra + files,
                    cwd: folder, environment: environment)
    }

    @Test func urlsCredentialsAndRedaction() throws {
        let home = try TemporaryFolder()
        let empty: [String: String] = ["USER": "dev"]
        let full = try PostgresAddress(url: "postgresql://ci:p%40ss@db.example.com:6543/perf?sslmode=require", environment: empty, home: home.path)
        #expect(full.user == "ci" && full.password == "p@ss" && full.host == "db.example.com" && full.port == 6543)
        #expect(full.database == "perf" && full.sslMode == .require)
        #expect(full.redacted == "postgresql://ci:***@db.example.com:6543/perf?sslmode=require")
        let socket = try PostgresAddress(url: "postgres:///perf?host=/run/pg&port=5433", environment: empty, home: home.path)
        #expect(socket.isUnixSocket && socket.socketPath == "/run/pg/.s.PGSQL.5433" && socket.user == "dev" && socket.password == nil)
        let v6 = try PostgresAddress(url: "postgresql://u@[::1]:5000/d", environment: empty, home: home.path)
        #expect(v6.host == "::1" && v6.port == 5000 && v6.sslMode == .prefer)
        // libpq's fallbacks: PGUSER, PGDATABASE, PGPASSWORD.
        let fromEnvironment = try PostgresAddress(url: "postgresql://127.0.0.1", environment: ["PGUSER": "env-user", "PGDATABASE": "envdb",
                                                                                              "PGPASSWORD": "from-env"], home: home.path)
        #expect(fromEnvironment.user == "env-user" && fromEnvironment.database == "envdb" && fromEnvironment.password == "from-env")
        // ~/.pgpass, used only when no one else may read it; `*` matches anything, `\:` is a colon.
        let pgpass = home.file(".pgpass")
        try "# comment\nother:5432:*:ci:wrong\ndb.example.com:*:perf:ci:pa\\:ss\n".write(toFile: pgpass, atomically: true, encoding: .utf8)
        chmod(pgpass, 0o644)
        #expect(try PostgresAddress(url: "postgresql://ci@db.example.com/perf", environment: empty, home: home.path).password == nil)
        chmod(pgpass, 0o600)
        #expect(try PostgresAddress(url: "postgresql://ci@db.example.com/perf", environment: empty, home: home.path).password == "pa:ss")
        #expect(try PostgresAddress(url: "postgresql://ci@db.example.com/other", environment: empty, home: home.path).password == nil)
        // Errors name the URL with its password masked.
        for bad in ["postgresql://ci:hunter2@h:notaport/d", "postgresql://ci:hunter2@h/d?sslmode=sometimes", "postgresql://ci:hunter2@h/d?oops"] {
            #expect(throws: WarehouseError.self) { try PostgresAddress(url: bad, environment: empty, home: home.path) }
            do { _ = try PostgresAddress(url: bad, environment: empty, home: home.path) } catch {
                #expect(!"\(error)".contains("hunter2"), "\(error)")
                #expect("\(error)".contains("ci:***@h"), "\(error)")
            }
        }
        // As libpq: unknown parameters, bad values and wrong case are errors, never ignored.
        for bad in ["postgresql://ci:hunter2@h/d?sslmod=verify-full", "postgresql://ci:hunter2@h/d?SSLMODE=verify-full",
                    "postgresql://ci:hunter2@h/d?sslmode=verify-fulll", "postgresql://ci:hunter2@h/d?connect_timeout=0",
                    "postgresql://ci:hunter2@h/d?connect_timeout=ten", "postgresql:ci:hunter2@h/d", "postgres:ci:hunter2@h/d"] {
            #expect(PostgresAddress.isURL(bad), "\(bad) is not an SQLite path")
            do {
                _ = try PostgresAddress(url: bad, environment: empty, home: home.path)
                Issue.record("\(bad) was accepted")
            } catch {
                #expect(!"\(error)".contains("hunter2"), "\(error)")
            }
        }
        #expect(try PostgresAddress(url: "postgresql://u@h/d?connect_timeout=1&application_name=ci", environment: empty, home: home.path).connectTimeout == 2)
        #expect(try PostgresAddress(url: "postgresql://u@h/d", environment: ["PGCONNECT_TIMEOUT": "30"], home: home.path).connectTimeout == 30)
        #expect(PostgresAddress.redact("postgresql://u@h/d?password=hunter2&sslmode=disable") == "postgresql://u@h/d?password=***&sslmode=disable")
        #expect(Warehouse.redactingPasswords("--db=postgres://u:hunter2@h/d") == "--db=postgres://u:***@h/d")
        #expect(Warehouse.redactingPasswords("plain.db") == "plain.db")
    }

    /// Real tools' files recorded into SQLite and PostgreSQL: the views answer the same, row for
    /// row and bit for bit; recording again changes nothing; a batch with a bad file writes nothing.
    @Test func realFilesAnswerTheSameOnBothEngines() throws {
        let server = try PostgresServer.running()
        let database = try server.createDatabase()
        let url = server.url(database)
        let folder = try TemporaryFolder()
        let sqlite = folder.file("h.db")
        for target in [sqlite, url] {
            let result = try Self.record(Self.realFiles, into: target, in: folder.path)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let queue = try DatabaseQueue(path: sqlite)
        func sqliteRows(_ sql: String) throws -> [String] {
            try queue.read { db in
                try Row.fetchAll(db, sql: sql).map { row in
                    row.databaseValues.map { value -> String in
                        switch value.storage {
                        case .null: return ""
                        case .int64(let integer): return String(integer)
                        case .double(let double): return "\(double)"
                        case .string(let text): return text
                        case .blob(let data): return "\(data.count) bytes"
                        }
                    }.joined(separator: "|")
                }
            }.sorted()
        }
        func postgresRows(_ sql: String) throws -> [String] {
            try server.psql(database, sql).split(separator: "\n").map(String.init).sorted()
        }
        // Doubles compared as bit patterns: both sides print them as text, so they are parsed back.
        let measurements = "SELECT benchmark, metric, unit, \"commit\", branch, machine, derived, value FROM hh_measurements"
        let fromSQLite = try sqliteRows(measurements), fromPostgres = try postgresRows(measurements)
        #expect(fromSQLite.count > 50 && fromSQLite.count == fromPostgres.count)
        func bits(_ rows: [String]) -> [String] {
            rows.map { row in
                var fields = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                fields[fields.count - 1] = String(Double(fields[fields.count - 1])?.bitPattern ?? 0)
                return fields.joined(separator: "|")
            }.sorted()
        }
        func differences(_ a: [String], _ b: [String]) -> [String] {
            Array(Set(bits(a)).symmetricDifference(Set(bits(b))).sorted().prefix(4))
        }
        #expect(differences(fromSQLite, fromPostgres).isEmpty, "\(differences(fromSQLite, fromPostgres))")
        let samples = "SELECT benchmark, series, idx, value FROM hh_samples"
        let samplesSQLite = try sqliteRows(samples), samplesPostgres = try postgresRows(samples)
        #expect(samplesSQLite.count > 5_000)
        #expect(samplesSQLite.count == samplesPostgres.count)
        #expect(differences(samplesSQLite, samplesPostgres).isEmpty, "hh_samples decodes the same layout to the same doubles: \(differences(samplesSQLite, samplesPostgres))")
        #expect(try server.psql(database, "SELECT count(*) FROM hh_runs") == "4\n")
        #expect(try server.psql(database, "SELECT count(*) FROM hh_commits") == "1\n")

        // The same input again: one run each, reported as recorded before.
        let again = try Self.record(Self.realFiles, into: url, in: folder.path)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try server.psql(database, "SELECT count(*) FROM runs") == "4\n")
        // All or nothing: a batch with one unreadable file writes none of it.
        let broken = try folder.write("broken.json", "{\"benchmarks\": [")
        let extra = try folder.write("extra.jsonl", #"{"benchmark":"new","metric":"time_ms","value":1}"#)
        let refused = try Self.record([extra, broken], into: url, in: folder.path)
        #expect(refused.status == 2)
        #expect(try server.psql(database, "SELECT count(*) FROM runs") == "4\n")
    }

    /// SQLite into PostgreSQL (a CI job pushes its runs) and PostgreSQL into SQLite (a developer
    /// takes the history offline): every side exports the same lines, and merging twice changes nothing.
    @Test func mergeRoundTripsLosslesslyBothWays() throws {
        let server = try PostgresServer.running()
        let database = try server.createDatabase()
        let url = server.url(database)
        let folder = try TemporaryFolder()
        let job = folder.file("job.db"), offline = folder.file("offline.db")
        let files = Self.realFiles + ["go/run1.txt", "google-benchmark/run1.json"].map { Self.fixtures + "/" + $0 }
        let recorded = try Self.record(files, into: job, in: folder.path)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let pushed = try hhbench(["merge", "--db", url, job], cwd: folder.path)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(pushed.stdout.contains("6 runs added"), "\(pushed.stdout)")
        let again = try hhbench(["merge", "--db", url, job], cwd: folder.path)
        #expect(again.stdout.contains("0 runs added") && again.stdout.contains("6 already present"), "\(again.stdout)")
        let pulled = try hhbench(["merge", "--db", offline, url], cwd: folder.path)
        #expect(pulled.status == 0, "\(pulled.stderr)")
        #expect(!pulled.stdout.contains(PostgresServer.password) && pulled.stdout.contains(":***@"), "\(pulled.stdout)")
        #expect(try hhbench(["merge", "--db", offline, url], cwd: folder.path).stdout.contains("0 runs added"))
        let exports = try [job, url, offline].map { database in
            let export = try hhbench(["export", "--db", database, "--format", "jsonl"], cwd: folder.path)
            #expect(export.status == 0, "\(export.stderr)")
            return export.stdout
        }
        #expect(exports[0].split(separator: "\n").count > 50)
        #expect(exports[1] == exports[0], "PostgreSQL exports what the job recorded")
        #expect(exports[2] == exports[0], "and the offline copy exports it again")
        // `runs` lists the same runs, with the same counts, from either engine.
        let listed = try [job, url].map { try hhbench(["runs", "--db", $0, "--format", "csv"], cwd: folder.path).stdout }
        #expect(listed[0].split(separator: "\n").count == 7 && listed[1] == listed[0], "\(listed)")
        // The summaries derived again on each side are the same values.
        let measurements = "SELECT benchmark, metric, value, derived FROM hh_measurements ORDER BY 1, 2, 3"
        let fromJob = try DatabaseQueue(path: job).read { db in try Row.fetchAll(db, sql: measurements).map(\.description) }
        let fromOffline = try DatabaseQueue(path: offline).read { db in try Row.fetchAll(db, sql: measurements).map(\.description) }
        #expect(fromJob.count > 100 && fromJob == fromOffline)
        #expect(try server.psql(database, "SELECT count(*) FROM hh_measurements") == "\(fromJob.count)\n")
    }

    /// 16 processes × 50 records at once into a new database: it is migrated once, and every run
    /// is kept without an error.
    @Test func sixteenParallelWritersKeepEveryRun() throws {
        let server = try PostgresServer.running()
        let database = try server.createDatabase()
        let url = server.socketURL(database)
        let folder = try TemporaryFolder()
        let inputs = try (0..<16).map { writer in
            try (0..<50).map { index in
                try folder.write("w\(writer)-\(index).jsonl",
                                 #"{"benchmark":"b\#(index % 7)","metric":"time_ms","samples":[\#(writer).5,\#(index).25,3]}"#)
            }
        }
        let cwd = folder.path
        let failures = inParallel(16) { writer in
            for index in 0..<50 {
                let result = try hhbench(["record", "--db", url, "--machine", "runner-\(writer)", "--commit", Self.commit,
                                          "--branch", "main", inputs[writer][index]], cwd: cwd)
                if result.status != 0 { throw TestFailure("writer \(writer) record \(index): \(result.stderr)") }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        #expect(try server.psql(database, "SELECT count(*) FROM runs") == "800\n")
        #expect(try server.psql(database, "SELECT count(*) = max(version) AND count(*) = count(DISTINCT version) FROM hh_schema_migrations")
                == "t\n", "each migration applied exactly once")
        #expect(try server.psql(database, "SELECT count(*) FROM machines") == "16\n")
        #expect(try server.psql(database, "SELECT count(*) FROM benchmarks") == "7\n")
        #expect(try server.psql(database, "SELECT count(*), sum(count) FROM sample_series") == "800|2400\n")
    }

    /// The same inputs from 16 runners at once are stored once each: the unique index and
    /// ON CONFLICT decide, not a read-then-write race.
    @Test func duplicatesRacingAreStoredOnce() throws {
        let server = try PostgresServer.running()
        let database = try server.createDatabase()
        let url = server.url(database)
        let folder = try TemporaryFolder()
        let inputs = try (0..<10).map { index in
            try folder.write("same-\(index).jsonl", #"{"benchmark":"shared","metric":"time_ms","samples":[\#(index),2,3]}"#)
        }
        let cwd = folder.path
        let failures = inParallel(16) { runner in
            for input in inputs.shuffled() {
                let result = try Self.record([input], into: url, in: cwd)
                if result.status != 0 { throw TestFailure("runner \(runner): \(result.stderr)") }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        #expect(try server.psql(database, "SELECT count(*) FROM runs") == "10\n")
        #expect(try server.psql(database, "SELECT count(DISTINCT content_hash) FROM runs") == "10\n")
        // --allow-duplicate still records a repeat on purpose.
        let repeated = try Self.record([inputs[0]], into: url, in: folder.path, extra: ["--allow-duplicate"])
        #expect(repeated.status == 0, "\(repeated.stderr)")
        #expect(try server.psql(database, "SELECT count(*) FROM runs") == "11\n")
    }

    /// The password comes from the URL, PGPASSWORD or ~/.pgpass and is never printed or recorded.
    @Test func thePasswordIsNeverShownNorRecorded() throws {
        let server = try PostgresServer.running()
        let database = try server.createDatabase()
        let folder = try TemporaryFolder()
        let input = try folder.write("one.jsonl", #"{"benchmark":"a","metric":"time_ms","value":1}"#)
        let secret = PostgresServer.password
        let wrong = try Self.record([input], into: "postgresql://\(PostgresServer.user):\(secret)-wrong@127.0.0.1:\(server.port)/\(database)",
                                    in: folder.path)
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("password authentication failed"), "\(wrong.stderr)")
        #expect(!wrong.stderr.contains(secret) && !wrong.stdout.contains(secret), "\(wrong.stderr)")
        #expect(wrong.stderr.contains(":***@127.0.0.1"))

        let ok = try Self.record([input], into: server.url(database), in: folder.path)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(!ok.stderr.contains(secret) && !ok.stdout.contains(secret))
        // `run` records its command line: the URL in it is masked.
        let run = try hhbench(["run", "--db", server.url(database), "--runs", "2", "--warmup", "0", "--machine", "ci-1", "true"],
                              cwd: folder.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains(secret) && !run.stdout.contains(secret))
        let leaks = try server.psql(database, """
            SELECT count(*) FROM runs WHERE concat_ws('|', command_line, context, tags, tool, ci_job_url) LIKE '%\(secret)%'
            """)
        #expect(leaks == "0\n")
        #expect(try server.psql(database, "SELECT count(*) FROM runs WHERE command_line LIKE '%:***@%'") == "1\n")

        // Without a password in the URL: PGPASSWORD, then ~/.pgpass.
        let bare = "postgresql://\(PostgresServer.user)@127.0.0.1:\(server.port)/\(database)?sslmode=disable"
        let second = try folder.write("two.jsonl", #"{"benchmark":"b","metric":"time_ms","value":2}"#)
        let viaEnvironment = try Self.record([second], into: bare, in: folder.path, environment: ["PGPASSWORD": secret])
        #expect(viaEnvironment.status == 0, "\(viaEnvironment.stderr)")
        let home = try TemporaryFolder()
        try "127.0.0.1:\(server.port):\(database):\(PostgresServer.user):\(secret)\n".write(toFile: home.file(".pgpass"), atomically: true, encoding: .utf8)
        chmod(home.file(".pgpass"), 0o600)
        let third = try folder.write("three.jsonl", #"{"benchmark":"c","metric":"time_ms","value":3}"#)
        let viaFile = try Self.record([third], into: bare, in: folder.path, environment: ["HOME": home.path])
        #expect(viaFile.status == 0, "\(viaFile.stderr)")
        let noPassword = try Self.record([third], into: bare, in: folder.path, environment: ["HOME": folder.path])
        #expect(noPassword.status == 2 && noPassword.stderr.contains("password"), "\(noPassword.stderr)")
        #expect(try server.psql(database, "SELECT count(*) FROM runs") == "4\n")
    }

    /// A warehouse of a newer hhbench is refused untouched; a database with other tables is not
    /// turned into a warehouse.
    @Test func newerSchemasAndForeignDatabasesAreRefusedUntouched() throws {
        let server = try PostgresServer.running()
        let folder = try TemporaryFolder()
        let input = try folder.write("one.jsonl", #"{"benchmark":"a","metric":"time_ms","value":1}"#)
        let database = try server.createDatabase()
        #expect(try Self.record([input], into: server.url(database), in: folder.path).status == 0)
        try server.psql(database, "INSERT INTO hh_schema_migrations VALUES (99, 'future', 'x', 'later')")
        let second = try folder.write("two.jsonl", #"{"benchmark":"b","metric":"time_ms","value":2}"#)
        let newer = try Self.record([second], into: server.url(database), in: folder.path)
        #expect(newer.status == 2)
        #expect(newer.stderr.contains("newer than this hhbench supports"), "\(newer.stderr)")
        #expect(try server.psql(database, "SELECT count(*) FROM runs") == "1\n")

        let foreign = try server.createDatabase()
        try server.psql(foreign, "CREATE TABLE invoices (id int)")
        let refused = try Self.record([input], into: server.url(foreign), in: folder.path)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("other tables than hhbench's (invoices)"), "\(refused.stderr)")
        #expect(try server.psql(foreign, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == "1\n")

        // A server that is not there: a clear error, at once.
        let nowhere = try Self.record([input], into: "postgresql://u:pw@127.0.0.1:\(try freeLoopbackPort())/d?sslmode=disable", in: folder.path)
        #expect(nowhere.status == 2 && nowhere.stderr.contains("cannot connect"), "\(nowhere.stderr)")
    }

    /// `query` on PostgreSQL prints each built-in type as psql does (the server's text output),
    /// keeps dollar-quoted strings and jsonb's `?` operator as written, and binds only psql's
    /// variables. (Integers, floats, numerics and booleans are read as SQLite holds them, so that
    /// the shipped queries answer alike on both engines: true is 1, 12.30 is 12.3.)
    @Test func queryPrintsEveryTypeAsPsqlDoes() throws {
        let server = try PostgresServer.running()
        let database = try server.createDatabase()
        let url = server.url(database)
        let folder = try TemporaryFolder()
        #expect(try Self.record(Self.realFiles, into: url, in: folder.path).status == 0)
        let textual = """
            SELECT '2026-12-07 10:00:00.25+01'::timestamptz AS tz, '2026-12-07 10:00'::timestamp AS ts, '2026-12-07'::date AS d,
                   '10:00:01'::time AS t, '1 day 02:00:03'::interval AS i, ARRAY[1, 2, 3] AS ints, ARRAY['a', 'b c', NULL] AS texts,
                   '\\x01ff'::bytea AS bytes, 26::oid AS o, '{"a": [1, 2]}'::jsonb AS jb, '{"b":2}'::json AS j,
                   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u, '192.168.0.1/24'::inet AS ip, point(1, 2) AS p,
                   int4range(1, 5) AS r, 'x'::"char" AS c, 1 AS one, 1 AS one
            """
        let file = try folder.write("types.sql", textual)
        let ours = try hhbench(["query", file, "--db", url, "--format", "csv"], cwd: folder.path)
        try #require(ours.status == 0, "\(ours.stderr)")
        let theirs = try runProcess(server.binaries + "/psql", ["-X", "-q", "--csv", "-h", server.socketFolder, "-p", String(server.port),
                                                                "-U", PostgresServer.user, "-d", database, "-f", file])
        #expect(ours.stdout == theirs.stdout, "ours:\n\(ours.stdout)\npsql:\n\(theirs.stdout)")
        // Dollar quotes and E'' strings are strings; jsonb's ? is an operator; :name outside them binds.
        let quoted = try folder.write("quoted.sql", #"SELECT $$:'name' ; ?$$ AS d, $q$ :name $q$ AS e, E'it\'s :name' AS f, '{"a":1}'::jsonb ? 'a' AS has, :'name' AS name"#)
        let result = try hhbench(["query", quoted, "--db", url, "--format", "csv", "--param", "name=main"], cwd: folder.path)
        #expect(result.stdout == "d,e,f,has,name\n:'name' ; ?, :name ,it's :name,1,main\n", "\(result.stdout) \(result.stderr)")
    }

    /// `query` on PostgreSQL: only queries run, in a read-only transaction that is rolled back,
    /// under the statement timeout; parameters are bound, so a quote in one is data, not SQL.
    @Test func queryIsReadOnlyTimedAndBindsItsParameters() throws {
        let server = try PostgresServer.running()
        let database = try server.createDatabase()
        let url = server.url(database)
        let folder = try TemporaryFolder()
        #expect(try Self.record(Self.realFiles, into: url, in: folder.path).status == 0)
        let runs = try server.psql(database, "SELECT count(*) FROM runs")
        func query(_ sql: String, _ extra: [String] = []) throws -> ProcessResult {
            let file = try folder.write("q.sql", sql)
            return try hhbench(["query", file, "--db", url, "--format", "csv"] + extra, cwd: folder.path)
        }
        // Refused before anything runs: not queries, or a transaction of their own.
        for sql in ["DELETE FROM runs", "SELECT 1; DELETE FROM runs", "COMMIT; DELETE FROM runs",
                    "SET default_transaction_read_only = off; DELETE FROM runs", "CREATE TABLE x (a int)"] {
            let refused = try query(sql)
            #expect(refused.status == 2 && refused.stderr.contains("not a query"), "\(sql): \(refused.stderr)")
        }
        // A query that writes is stopped by the READ ONLY transaction, even after switching the
        // session's default off: the transaction it runs in is read-only already.
        let writing = try query("WITH gone AS (DELETE FROM runs RETURNING id) SELECT count(*) FROM gone")
        #expect(writing.status == 2 && writing.stderr.contains("refused"), "\(writing.stderr)")
        let switched = try query("""
            SELECT set_config('default_transaction_read_only', 'off', false);
            SELECT set_config('transaction_read_only', 'off', true);
            WITH gone AS (DELETE FROM runs RETURNING id) SELECT count(*) FROM gone
            """)
        #expect(switched.status == 2, "\(switched.stdout) \(switched.stderr)")
        #expect(try server.psql(database, "SELECT count(*) FROM runs") == runs)
        #expect(try server.psql(database, "SELECT count(*) FROM pg_tables WHERE tablename = 'x'") == "0\n")
        // The statement timeout.
        let slow = try query("SELECT pg_sleep(5)", ["--timeout", "0.3"])
        #expect(slow.status == 2 && slow.stderr.contains("statement timeout"), "\(slow.stderr)")
        // Parameters: :'name' as text, :name typed, a quote inside one is data.
        let typed = try query("SELECT :'branch' AS branch, :limit + 1 AS next, :'missing' IS NULL AS missing", ["--param", "branch=main",
                                                                                                               "--param", "limit=41"])
        #expect(typed.stdout == "branch,next,missing\nmain,42,1\n", "\(typed.stdout) \(typed.stderr)")
        let injected = try hhbench(["query", "runs", "--db", url, "--param", "branch=main' OR '1'='1", "--format", "csv"], cwd: folder.path)
        #expect(injected.status == 0 && injected.stdout.split(separator: "\n").count == 1, "\(injected.stdout) \(injected.stderr)")
        let unknown = try hhbench(["query", "runs", "--db", url, "--param", "limt=3"], cwd: folder.path)
        #expect(unknown.status == 2 && unknown.stderr.contains("no parameter :limt"), "\(unknown.stderr)")
        // An empty answer keeps its columns.
        let empty = try query("SELECT benchmark, value FROM hh_measurements WHERE false")
        #expect(empty.stdout == "benchmark,value\n", "\(empty.stdout)")
    }

    /// A database that takes TLS connections only (`hostnossl … reject`, with a self-signed
    /// certificate): sslmode=disable is refused by the server, require and prefer get TLS,
    /// verify-full checks the certificate against sslrootcert and the host name.
    @Test func tlsWhenTheServerAsksForIt() throws {
        let server = try PostgresServer.running()
        try server.psql("postgres", "CREATE DATABASE \(PostgresServer.tlsDatabase)")
        let folder = try TemporaryFolder()
        let input = try folder.write("one.jsonl", #"{"benchmark":"a","metric":"time_ms","value":1}"#)
        func url(_ query: String) -> String {
            "postgresql://\(PostgresServer.user):\(PostgresServer.password)@127.0.0.1:\(server.port)/\(PostgresServer.tlsDatabase)?\(query)"
        }
        let plain = try Self.record([input], into: url("sslmode=disable"), in: folder.path)
        #expect(plain.status == 2 && plain.stderr.contains("no encryption"), "\(plain.stderr)")
        for mode in ["sslmode=require", "sslmode=prefer", "sslmode=verify-full&sslrootcert=\(server.certificate)"] {
            let result = try Self.record([input], into: url(mode), in: folder.path, extra: ["--allow-duplicate"])
            #expect(result.status == 0, "\(mode): \(result.stderr)")
        }
        #expect(try server.psql(PostgresServer.tlsDatabase, "SELECT count(*) FROM runs") == "3\n")
        // Another certificate authority: the server's certificate is not trusted, and nothing is written.
        let other = folder.file("other.crt")
        _ = try runProcess("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=other",
                                                "-keyout", folder.file("other.key"), "-out", other])
        let untrusted = try Self.record([input], into: url("sslmode=verify-full&sslrootcert=\(other)"), in: folder.path,
                                        extra: ["--allow-duplicate"])
        #expect(untrusted.status == 2, "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("cannot connect") && !untrusted.stderr.contains(PostgresServer.password), "\(untrusted.stderr)")
        #expect(try server.psql(PostgresServer.tlsDatabase, "SELECT count(*) FROM runs") == "3\n")
        // The reading commands take the same URL.
        let runs = try hhbench(["runs", "--db", url("sslmode=require")], cwd: folder.path)
        #expect(runs.status == 0 && runs.stdout.contains("ci-1"), "\(runs.stderr)")
    }
}

/// Runs `body` on `workers` threads at once; returns what each that threw said.
func inParallel(_ workers: Int, _ body: @Sendable (Int) throws -> Void) -> [String] {
    let lock = NSLock()
    nonisolated(unsafe) var failures: [String] = []
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
        do {
            try body(worker)
        } catch {
            lock.lock()
            failures.append("\(error)")
            lock.unlock()
        }
    }
    return failures
}
