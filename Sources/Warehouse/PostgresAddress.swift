import Foundation

/// Where a PostgreSQL warehouse lives, read from a libpq connection URL
/// (`postgresql://user:password@host:port/dbname?sslmode=require`, or `postgres://`), with libpq's
/// fallbacks: `PGUSER`, `PGHOST`, `PGPORT`, `PGDATABASE`, `PGSSLMODE`, and the password from the URL,
/// else `PGPASSWORD`, else the password file (`PGPASSFILE`, else `~/.pgpass`, used only when no
/// one else may read it, as libpq does).
///
/// `redacted` is the only form any message, error or recorded context shows: the password is
/// never printed.
package struct PostgresAddress: Sendable, Equatable {
    /// libpq's `sslmode`s. `prefer` (libpq's default) tries TLS and falls back to plain TCP.
    package enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    package var user: String
    package var password: String?
    /// A host name or address, or a Unix socket folder (it starts with `/`).
    package var host: String
    package var port: Int
    package var database: String
    package var sslMode: SSLMode
    /// Certificates to verify the server against (`sslrootcert`), for `verify-ca` and `verify-full`.
    package var sslRootCert: String?
    /// Seconds to wait for a connection (libpq's `connect_timeout`, or `PGCONNECT_TIMEOUT`; 10 by
    /// default, at least 2 as libpq rounds up). hhbench always waits a bounded time.
    package var connectTimeout = 10

    /// The URL parameters hhbench reads; any other is an error, as libpq refuses a parameter it
    /// does not know (and hhbench would otherwise connect without what the user asked for).
    package static let parameters: Set<String> = ["host", "port", "dbname", "user", "password", "sslmode", "sslrootcert",
                                                  "connect_timeout", "application_name"]

    package var isUnixSocket: Bool { host.hasPrefix("/") }
    /// The socket file of a Unix socket connection: `.s.PGSQL.PORT` in the host folder.
    package var socketPath: String { (host as NSString).appendingPathComponent(".s.PGSQL.\(port)") }

    /// The URL as given, with the password (in the user part or a `password=` parameter) masked.
    package let redacted: String

    /// True when `text` names a PostgreSQL warehouse rather than an SQLite file: it starts with
    /// `postgresql:` or `postgres:`, so that `postgresql:user:pw@host/db` (no `//`) is an error
    /// that says so, never an SQLite file in a folder named after the password.
    package static func isURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("postgresql:") || lowered.hasPrefix("postgres:")
    }

    /// Reads `url`; throws `WarehouseError.badDatabaseURL` naming what is wrong (never the password).
    package init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                 home: String? = ProcessInfo.processInfo.environment["HOME"]) throws {
        let redacted = Self.redact(url)
        self.redacted = redacted
        func fail(_ message: String) -> WarehouseError { .badDatabaseURL(url: redacted, message: message) }
        guard Self.isURL(url), let schemeEnd = url.range(of: "://"),
              ["postgresql", "postgres"].contains(url[..<schemeEnd.lowerBound].lowercased()) else {
            throw fail("it does not start with postgresql:// (or postgres://); write postgresql://user@host/dbname")
        }
        var rest = Substring(url[schemeEnd.upperBound...])
        var parameters: [String: String] = [:]
        if let question = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: question)...].split(separator: "&", omittingEmptySubsequences: true) {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, let key = Self.decoded(parts[0]), let value = Self.decoded(parts[1]) else {
                    throw fail("the parameter '\(Self.redactParameter(pair))' is not key=value")
                }
                guard Self.parameters.contains(key) else {
                    throw fail("unknown parameter '\(key)' (parameters are case-sensitive; hhbench reads "
                               + Self.parameters.sorted().joined(separator: ", ") + ")")
                }
                parameters[key] = value
            }
            rest = rest[..<question]
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[rest.index(after: slash)...])
            rest = rest[..<slash]
        }
        var userInfo: Substring?
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        var urlUser: String?, urlPassword: String?
        if let userInfo {
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decoded(parts[0]) else { throw fail("the user name is not valid percent-encoding") }
            urlUser = name.isEmpty ? nil : name
            if parts.count == 2 {
                guard let secret = Self.decoded(parts[1]) else { throw fail("the password is not valid percent-encoding") }
                urlPassword = secret
            }
        }
        var urlHost: String?, urlPort: String?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw fail("an IPv6 address needs its closing ]") }
            urlHost = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { urlPort = String(after.dropFirst()) } else if !after.isEmpty { throw fail("unexpected text after the IPv6 address") }
        } else if let colon = rest.lastIndex(of: ":") {
            urlHost = String(rest[..<colon])
            urlPort = String(rest[rest.index(after: colon)...])
        } else if !rest.isEmpty {
            urlHost = String(rest)
        }
        if let host = urlHost {
            guard let decoded = Self.decoded(Substring(host)) else { throw fail("the host is not valid percent-encoding") }
            urlHost = decoded.isEmpty ? nil : decoded
        }
        guard let database = Self.decoded(Substring(path)) else { throw fail("the database name is not valid percent-encoding") }

        func setting(_ parameter: String, _ variable: String) -> String? {
            parameters[parameter] ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        }
        user = urlUser ?? setting("user", "PGUSER") ?? Self.systemUser(environment)
        host = urlHost ?? setting("host", "PGHOST") ?? Self.defaultHost
        let portText = (urlPort?.isEmpty == false ? urlPort : nil) ?? setting("port", "PGPORT") ?? "5432"
        guard let port = Int(portText), (1...65_535).contains(port) else { throw fail("the port '\(portText)' is not a number from 1 to 65535") }
        self.port = port
        self.database = database.isEmpty ? (setting("dbname", "PGDATABASE") ?? user) : database
        let mode = setting("sslmode", "PGSSLMODE") ?? "prefer"
        guard let sslMode = SSLMode(rawValue: mode) else {
            throw fail("sslmode '\(mode)' is not one of " + SSLMode.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self.sslMode = sslMode
        sslRootCert = setting("sslrootcert", "PGSSLROOTCERT")
        if let timeout = setting("connect_timeout", "PGCONNECT_TIMEOUT") {
            guard let seconds = Int(timeout), (1...3600).contains(seconds) else {
                throw fail("connect_timeout '\(timeout)' is not a whole number of seconds from 1 to 3600 (hhbench always waits a bounded time)")
            }
            connectTimeout = max(2, seconds)
        }
        password = urlPassword ?? parameters["password"] ?? environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 } ?? nil
        if password == nil {
            let file = environment["PGPASSFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? home.map { ($0 as NSString).appendingPathComponent(".pgpass") }
            if let file { password = Self.passwordFromFile(file, host: host, port: port, database: self.database, user: user) }
        }
    }

    /// libpq's compiled-in socket folder on Debian, else TCP to localhost.
    private static var defaultHost: String {
        FileManager.default.fileExists(atPath: "/var/run/postgresql") ? "/var/run/postgresql" : "localhost"
    }

    private static func systemUser(_ environment: [String: String]) -> String {
        if let name = environment["USER"] ?? environment["LOGNAME"], !name.isEmpty { return name }
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "postgres"
    }

    private static func decoded(_ text: Substring) -> String? { String(text).removingPercentEncoding }

    /// A password file's entry for this connection (`host:port:database:user:password`, `*`
    /// matching anything, `\` escaping `:` and `\`; a socket connection matches `localhost`).
    /// Ignored, as libpq does, when the file is readable by its group or others.
    static func passwordFromFile(_ path: String, host: String, port: Int, database: String, user: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_mode & 0o077 == 0,
              let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let wanted = [host.hasPrefix("/") ? "localhost" : host, String(port), database, user]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            var fields: [String] = [""]
            var escaped = false
            for character in line {
                if escaped { fields[fields.count - 1].append(character); escaped = false }
                else if character == "\\" { escaped = true }
                else if character == ":" && fields.count < 5 { fields.append("") }
                else { fields[fields.count - 1].append(character) }
            }
            guard fields.count == 5 else { continue }
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// `url` with any password masked: `user:***@`, and `password=***` among the parameters.
    package static func redact(_ url: String) -> String {
        var text = url
        if let schemeEnd = text.range(of: "://") {
            let authorityEnd = text[schemeEnd.upperBound...].firstIndex(where: { $0 == "/" || $0 == "?" }) ?? text.endIndex
            if let at = text[schemeEnd.upperBound..<authorityEnd].lastIndex(of: "@"),
               let colon = text[schemeEnd.upperBound..<at].firstIndex(of: ":") {
                text.replaceSubrange(text.index(after: colon)..<at, with: "***")
            }
        } else if let scheme = text.firstIndex(of: ":") {
            // No `//` (`postgresql:user:pw@host/db`, refused): whatever stands before an @ may be a password.
            let authorityEnd = text[scheme...].firstIndex(where: { $0 == "/" || $0 == "?" }) ?? text.endIndex
            if let at = text[scheme..<authorityEnd].lastIndex(of: "@") {
                text.replaceSubrange(text.index(after: scheme)..<at, with: "***")
            }
        }
        if let question = text.firstIndex(of: "?") {
            let query = text[text.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map(redactParameter)
            text = String(text[...question]) + query.joined(separator: "&")
        }
        return text
    }

    private static func redactParameter(_ pair: Substring) -> String {
        pair.lowercased().hasPrefix("password=") ? "password=***" : String(pair)
    }
}

extension Warehouse {
    /// True when `location` names a PostgreSQL warehouse (`postgresql://` or `postgres://`).
    package static func isServerURL(_ location: String) -> Bool { PostgresAddress.isURL(location) }

    /// `text` with the password of any PostgreSQL URL in it masked (`--db=postgresql://u:***@h/db`).
    package static func redactingPasswords(_ text: String) -> String {
        guard let start = text.range(of: "postgres", options: .caseInsensitive),
              PostgresAddress.isURL(String(text[start.lowerBound...])) else { return text }
        return String(text[..<start.lowerBound]) + PostgresAddress.redact(String(text[start.lowerBound...]))
    }
}
