import Foundation
import Records
import Warehouse

/// The rounds of an `ab` session, read back from the tags its runs were recorded with, so that
/// `compare --against BASE` at HEAD after `hhbench ab` gives the paired answer `ab` gave.
package struct ABSessionRuns: Sendable, Equatable {
    package let session: String
    package let rounds: [PairedRound]
    package let design: PairedDesign

    /// The session that measured both `base` and `head` runs in the most complete rounds (the
    /// newest when two have as many), or nil when no session did.
    package static func find(base: [RunReference], head: [RunReference], warehouse: Warehouse) throws -> ABSessionRuns? {
        let tags = try warehouse.tags(ofRuns: (base + head).map(\.id))
        func rounds(_ runs: [RunReference], side: String) -> [String: [Int: (id: Int64, elapsed: Double?, planned: Int?)]] {
            var found: [String: [Int: (id: Int64, elapsed: Double?, planned: Int?)]] = [:]
            for run in runs {
                guard let table = tags[run.id], table[ABTags.side] == side, let session = table[ABTags.session],
                      let round = table[ABTags.round].flatMap(Int.init), round >= 1 else { continue }
                found[session, default: [:]][round] = (run.id, table[ABTags.elapsed].flatMap(Double.init), table[ABTags.plannedRounds].flatMap(Int.init))
            }
            return found
        }
        let baseRounds = rounds(base, side: "base"), headRounds = rounds(head, side: "head")
        var best: ABSessionRuns?
        var bestNewest = Int64.min
        for (session, byRound) in baseRounds {
            guard let heads = headRounds[session] else { continue }
            let paired = byRound.keys.filter { heads[$0] != nil }.sorted().map { round in
                PairedRound(round: round, base: byRound[round]!.id, head: heads[round]!.id, endedAfter: heads[round]!.elapsed)
            }
            guard !paired.isEmpty else { continue }
            let planned = byRound.values.compactMap(\.planned).first
            let candidate = ABSessionRuns(session: session, rounds: paired, design: planned.map { .sequential(plannedRounds: $0) } ?? .fixed)
            let newest = paired.map(\.head).max() ?? 0
            if best == nil || paired.count > best!.rounds.count || (paired.count == best!.rounds.count && newest > bestNewest) {
                best = candidate
                bestNewest = newest
            }
        }
        return best
    }
}
