import Foundation
import Records

/// Captures the context of a run being recorded now: the commit, branch and dirty state from git,
/// the machine, and the CI job. Shared by `hhbench record`, `hhbench run` and the Swift harness.
package enum ContextCapture {
    /// - Parameters:
    ///   - directory: where to look for the git repository.
    ///   - machineName: a stable machine name given by the user, which then alone identifies the
    ///     machine; nil for the hostname and a hardware fingerprint.
    ///   - ancestryDepth: how many first-parent ancestors of the commit to include.
    ///   - headCommit: false when the run's commit is given (a flag): HEAD's commit, ancestry and
    ///     dirty state would be thrown away, so git is asked only for the branch.
    ///   - askBranch: false when the branch is given (a flag): git is not asked for it.
    package static func capture(directory: String = FileManager.default.currentDirectoryPath,
                               machineName: String? = nil, ancestryDepth: Int = 0, headCommit: Bool = true, askBranch: Bool = true,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> RunContext {
        let git = Git(directory: directory)
        let ci = CIEnvironment(environment)
        var context = RunContext()
        var machine = MachineProbe.current(name: machineName)
        machine.namedExplicitly = machineName != nil
        context.machine = machine
        context.ciProvider = ci.provider
        context.ciJobURL = ci.jobURL
        if !headCommit {
            context.branch = (askBranch ? git.branch : nil) ?? ci.branch
        } else if let commit = git.commit() {
            context.commit = commit
            context.branch = (askBranch ? git.branch : nil) ?? ci.branch
            context.dirty = git.isDirty
            if ancestryDepth > 0 { context.ancestry = git.ancestry(of: commit.sha, limit: ancestryDepth) }
        } else {
            context.branch = ci.branch
        }
        return context
    }
}
