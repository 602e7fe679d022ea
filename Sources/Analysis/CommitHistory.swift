import Capture
import Foundation
import Warehouse

/// Commit ancestry for analysis: from git when the repository knows the commits, else from the
/// commits stored in the database (so a copied database still answers).
package struct CommitHistory: Sendable {
    let git: Git?
    let warehouse: Warehouse

    package init(warehouse: Warehouse, directory: String = FileManager.default.currentDirectoryPath) {
        self.warehouse = warehouse
        let git = Git(directory: directory)
        self.git = git.topLevel == nil ? nil : git
    }

    /// The current commit of the working folder's repository.
    package func head() -> String? { git?.resolve("HEAD") }

    /// The current branch of the working folder's repository.
    package func currentBranch() -> String? { git?.branch }

    /// A full sha for a branch, tag, remote ref or (abbreviated) sha: git first (`origin/NAME`
    /// when there is no local NAME, as in a CI checkout of a pull request), then the stored
    /// commits, then the newest run recorded on a branch of that name.
    ///
    /// A branch whose newest recorded run is at a commit this repository does not have (a database
    /// recorded elsewhere, read inside another checkout, such as the example history inside
    /// hhbench's own clone) resolves to that run's commit: the branch the runs were recorded on.
    package func resolve(_ reference: String) throws -> String? {
        if let sha = resolveInGit(reference) {
            if let recorded = try warehouse.newestCommit(onBranch: reference), recorded != sha, !gitKnows(recorded) { return recorded }
            return sha
        }
        return try resolveInDatabase(reference)
    }

    /// True when some run was recorded at `sha`.
    package func hasRuns(_ sha: String) throws -> Bool {
        try !warehouse.commitsWithRuns([sha]).isEmpty
    }

    /// The baseline branch when neither a flag nor `hhbench.toml` names one: the remote's
    /// default branch, else `main`, else `master`; the first that git knows (locally or on
    /// origin), else the first the recorded runs know.
    package func defaultBaselineBranch() throws -> String {
        let candidates = [git?.remoteDefaultBranch].compactMap { $0 } + ["main", "master"]
        if let known = candidates.first(where: { resolveInGit($0) != nil }) { return known }
        for name in candidates where try resolveInDatabase(name) != nil { return name }
        return "main"
    }

    private func resolveInGit(_ reference: String) -> String? {
        git.flatMap { $0.resolve(reference) ?? $0.resolve("origin/" + reference) }
    }

    private func resolveInDatabase(_ reference: String) throws -> String? {
        if let sha = try warehouse.storedCommit(matching: reference) { return sha }
        return try warehouse.newestCommit(onBranch: reference)
    }

    private func gitKnows(_ sha: String) -> Bool { git?.resolve(sha) == sha }

    /// The best common ancestor of two commits.
    package func mergeBase(_ a: String, _ b: String) throws -> String? {
        if a == b { return a }
        if gitKnows(a), gitKnows(b), let base = git?.mergeBase(a, b) { return base }
        // Most often `a` is on b's first-parent line (a commit of main, compared with main): found
        // among b's recent first parents without walking the whole stored history.
        if try warehouse.storedFirstParentHistory(from: b, limit: 1000).contains(a) { return a }
        // From the stored parents: the first commit on b's first-parent line that is an ancestor of a.
        let ancestorsOfA = try warehouse.storedAncestors(of: a, limit: 100_000)
        for sha in try warehouse.storedFirstParentHistory(from: b, limit: 100_000) where ancestorsOfA.contains(sha) {
            return sha
        }
        return nil
    }

    /// `sha` and its first-parent ancestors, newest first, at most `limit`.
    package func firstParentHistory(from sha: String, limit: Int) throws -> [String] {
        if gitKnows(sha), let history = git?.firstParentHistory(sha, limit: limit), !history.isEmpty { return history }
        return try warehouse.storedFirstParentHistory(from: sha, limit: limit)
    }

    /// Subjects of commits, from git or the database.
    package func subjects(_ shas: [String]) throws -> [String: String] {
        try warehouse.commitSubjects(shas)
    }
}
