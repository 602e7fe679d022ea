import Foundation
import Testing

/// A throwaway PostgreSQL cluster for the whole test run: `initdb` in a temporary folder and
/// `pg_ctl start` on a free loopback port and a private Unix socket, as an unprivileged user
/// (`postgres` when the tests run as root: initdb refuses root). Each test gets its own database.
/// The cluster stops when the test process exits. When it cannot start, every test that needs it
/// fails saying why: these tests are never skipped.
final class PostgresServer: @unchecked Sendable {
    /// The superuser's name and password (TCP logins need the password; the socket trusts).
    static let user = "hhbench_admin"
    static let password = "s3cret-Pa55word-for-tests"

    let port: Int
    let socketFolder: String
    /// The server's self-signed TLS certificate (for `sslrootcert`).
    let certificate: String
    /// The database that refuses connections without TLS.
    static let tlsDatabase = "hh_tls"
    private let dataFolder: String
    private let root: String
    private let options: String
    let binaries: String

    /// The shared cluster, started on first use.
    static let shared: Result<PostgresServer, TestFailure> = {
        do { return .success(try PostgresServer()) } catch let failure as TestFailure { return .failure(failure) } catch {
            return .failure(TestFailure("PostgreSQL could not be started: \(error)"))
        }
    }()

    /// The running cluster, or a failure that says why there is none.
    static func running() throws -> PostgresServer {
        switch shared {
        case .success(let server): return server
        case .failure(let failure): throw failure
        }
    }

    private static var runningAsRoot: Bool { geteuid() == 0 }

    /// A cluster of its own (a test that stops its server must not stop the shared one).
    init() throws {
        let candidates = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        guard let binaries = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }) else {
            throw TestFailure("PostgreSQL is not installed: the PostgreSQL tests need initdb and pg_ctl (apt-get install postgresql; .ci/run installs it)")
        }
        self.binaries = binaries
        let root = "/tmp/hhbench-pg-\(getpid())-\(UUID().uuidString.prefix(8))"
        self.root = root
        dataFolder = root + "/data"
        socketFolder = root + "/socket"
        port = try freeLoopbackPort()
        try FileManager.default.createDirectory(atPath: socketFolder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dataFolder, withIntermediateDirectories: true)
        let passwordFile = root + "/password"
        try Self.password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        if Self.runningAsRoot {
            for path in [root, dataFolder, socketFolder, passwordFile] { try Self.check(runProcess("/bin/chown", ["postgres:postgres", path]), "chown") }
        }
        try Self.check(Self.asServerUser(binaries + "/initdb", ["-D", dataFolder, "-U", Self.user, "--pwfile", passwordFile, "-A", "scram-sha-256",
                                                           "--auth-local=trust", "-E", "UTF8", "--locale=C", "--no-sync"]), "initdb")
        // TLS, with a self-signed certificate for 127.0.0.1 and localhost; the database `hh_tls` takes
        // TLS connections only, as a server that asks for TLS does.
        certificate = root + "/server.crt"
        let key = root + "/server.key"
        try Self.check(runProcess("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                                                       "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", certificate]),
                       "openssl req")
        chmod(key, 0o600)
        if Self.runningAsRoot { try Self.check(runProcess("/bin/chown", ["postgres:postgres", key, certificate]), "chown") }
        let hba = dataFolder + "/pg_hba.conf"
        let rules = (try? String(contentsOfFile: hba, encoding: .utf8)) ?? ""
        try Self.check(Self.asServerUser("/bin/sh", ["-c", "printf '%s\\n%s' 'hostnossl \(Self.tlsDatabase) all all reject' \"$1\" > \(hba)",
                                                     "sh", rules]), "pg_hba.conf")
        options = "-c listen_addresses=127.0.0.1 -c port=\(port) -c unix_socket_directories=\(socketFolder) -c fsync=off "
            + "-c max_connections=200 -c shared_buffers=64MB -c ssl=on -c ssl_cert_file=\(certificate) -c ssl_key_file=\(key)"
        try Self.check(Self.asServerUser(binaries + "/pg_ctl", ["-D", dataFolder, "-o", options, "-l", root + "/server.log", "-w", "-t", "60", "start"]),
                       "pg_ctl start")
        Self.lock.lock()
        Self.started.append((binaries + "/pg_ctl", dataFolder))
        Self.lock.unlock()
        atexit { PostgresServer.stopAll() }
    }

    /// `pg_ctl stop -m immediate`: the server dies as in a crash, without closing sessions cleanly.
    func stopImmediately() throws {
        try Self.check(Self.asServerUser(binaries + "/pg_ctl", ["-D", dataFolder, "-m", "immediate", "-w", "stop"]), "pg_ctl stop")
    }

    /// Starts the cluster again after `stopImmediately` (crash recovery runs first).
    func start() throws {
        try Self.check(Self.asServerUser(binaries + "/pg_ctl", ["-D", dataFolder, "-o", options, "-l", root + "/server.log", "-w", "-t", "60", "start"]),
                       "pg_ctl start")
    }

    /// Clusters to stop at exit.
    nonisolated(unsafe) private static var started: [(pgCtl: String, data: String)] = []
    private static let lock = NSLock()

    private static func stopAll() {
        lock.lock()
        let clusters = started
        lock.unlock()
        for (pgCtl, data) in clusters {
            _ = try? asServerUser(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"])
            try? FileManager.default.removeItem(atPath: (data as NSString).deletingLastPathComponent)
        }
    }

    /// Runs a PostgreSQL program (as `postgres` when root), through Python's subprocess with every
    /// inherited descriptor closed: Foundation's `Process` learns that its child ended when a
    /// socket the child inherited closes, and the server `pg_ctl` leaves running would hold it
    /// open for ever.
    private static func asServerUser(_ program: String, _ arguments: [String]) throws -> ProcessResult {
        let command = (runningAsRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + [program] + arguments
        return try runProcess("/usr/bin/env", ["python3", "-c", """
            import subprocess, sys
            sys.exit(subprocess.run(sys.argv[1:], close_fds=True, stdin=subprocess.DEVNULL).returncode)
            """] + command, cwd: "/tmp")
    }

    private static func check(_ result: ProcessResult, _ what: String) throws {
        guard result.status == 0 else { throw TestFailure("PostgreSQL could not be started: \(what) failed: \(result.stderr) \(result.stdout)") }
    }

    /// A new, empty database; returns its name.
    func createDatabase() throws -> String {
        let name = "hh_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try psql("postgres", "CREATE DATABASE \(name)")
        return String(name)
    }

    /// Runs SQL as the superuser over the socket; returns psql's unaligned, tuples-only output.
    @discardableResult
    func psql(_ database: String, _ sql: String, variables: [String: String] = [:]) throws -> String {
        let arguments = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", socketFolder, "-p", String(port), "-U", Self.user, "-d", database]
            + variables.flatMap { ["-v", "\($0.key)=\($0.value)"] } + ["-c", sql]
        let result = try runProcess(binaries + "/psql", arguments)
        guard result.status == 0 else { throw TestFailure("psql failed on \(sql.prefix(80)): \(result.stderr)") }
        return result.stdout
    }

    /// The database name in one of the cluster's URLs (`…/hh_1f77…?sslmode=disable`).
    static func database(of url: String) -> String {
        url.split(separator: "?")[0].split(separator: "/").last.map(String.init) ?? ""
    }

    /// Runs an SQL file with psql as the superuser over the socket, on the database of `url`, with
    /// `variables` given as `-v name=value`; CSV output with a header.
    func psqlFile(url: String, _ file: String, variables: [String: String]) throws -> ProcessResult {
        let database = Self.database(of: url)
        let arguments = ["-X", "-q", "--csv", "-v", "ON_ERROR_STOP=1", "-h", socketFolder, "-p", String(port), "-U", Self.user, "-d", database]
            + variables.sorted(by: { $0.key < $1.key }).flatMap { ["-v", "\($0.key)=\($0.value)"] } + ["-f", file]
        return try runProcess(binaries + "/psql", arguments)
    }

    /// A URL over TCP with the password in it.
    func url(_ database: String) -> String {
        "postgresql://\(Self.user):\(Self.password)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// A URL over the Unix socket (trusted: no password).
    func socketURL(_ database: String) -> String {
        "postgresql://\(Self.user)@/\(database)?host=\(socketFolder)&port=\(port)"
    }
}
