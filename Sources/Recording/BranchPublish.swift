import Foundation

extension HistoryBranch {
    /// Writes `files` into the branch in one commit, after removing `replacing` (paths, and every
    /// file under those ending in "/"), and pushes it; a push that loses a race is made again on
    /// the new tip, up to `attempts` times in all. Returns how many pushes were rejected first.
    /// A commit that would change nothing is not made.
    package func publish(_ files: [(path: String, bytes: [UInt8])], replacing: [String], message: String,
                         attempts: Int = 30) throws -> (changed: Bool, retries: Int) {
        for attempt in 1... {
            let tip = try fetchTip()
            let commit = try self.commit(parent: tip, adding: files, removing: replacing, message: message)
            if let tip, try treeOf(commit) == treeOf(tip) { return (false, attempt - 1) }
            switch try push(commit) {
            case .pushed:
                return (true, attempt - 1)
            case .rejected(let said):
                guard attempt < attempts else {
                    throw Failure(description: "branch \(branch) of \(remoteName) moved under \(attempts) pushes in a row (\(said)); try again")
                }
                Self.backOff(after: attempt)
            }
        }
        fatalError("unreachable: the loop returns or throws")
    }

    /// A random wait before pushing again: jobs that lost the same race should not retry together,
    /// and the wait grows with the attempts (20 ms to at most 0.35 s).
    package static func backOff(after attempt: Int) {
        usleep(useconds_t(UInt32.random(in: 20_000...(50_000 + 30_000 * UInt32(min(attempt, 10))))))
    }
}
