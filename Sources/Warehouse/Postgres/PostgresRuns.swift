import PostgresNIO
import Records

/// `runs` on PostgreSQL: the newest runs with their counts, as `hhbench runs` lists them.
struct PostgresRuns {
    let session: PostgresSession

    func runs(limit: Int, branch: String?) throws -> [RunSummary] {
        var arguments: [any PostgresArgument] = []
        var filter = ""
        if let branch {
            arguments.append(branch)
            filter = " WHERE r.branch = $1"
        }
        arguments.append(limit)
        let rows = try session.query("""
            SELECT r.id, r.uuid, r.recorded_at, r.commit_sha, r.branch, r.dirty::bigint, m.name, r.source_format, r.tags,
                   (SELECT count(DISTINCT benchmark_id) FROM measurements WHERE run_id = r.id),
                   (SELECT count(*) FROM measurements WHERE run_id = r.id),
                   (SELECT coalesce(sum(count), 0)::bigint FROM sample_series WHERE run_id = r.id)
            FROM runs r JOIN machines m ON m.id = r.machine_id\(filter)
            ORDER BY r.recorded_at DESC, r.id DESC LIMIT $\(arguments.count)
            """, arguments)
        do {
            return try rows.map { row in
                let (id, uuid, recordedAt, commit, branch, dirty, machine, format, tags, benchmarks, measurements, samples)
                    = try row.decode((Int64, String, String, String?, String?, Int64?, String, String, String, Int64, Int64, Int64).self)
                return RunSummary(id: id, uuid: uuid, recordedAt: recordedAt, commit: commit, branch: branch, dirty: dirty.map { $0 != 0 },
                                  machine: machine, sourceFormat: format, benchmarks: Int(benchmarks), measurements: Int(measurements),
                                  samples: Int(samples), tags: (try? JSONParser.parse(tags)) ?? .object([]))
            }
        } catch {
            throw WarehouseError.engine(path: session.address.redacted, message: "the runs could not be read: \(error)")
        }
    }
}
