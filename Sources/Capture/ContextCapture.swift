import Foundation
import Records

/// Captures the context of a run being recorded now: the commit, branch and dirty state from git,
/// the machine, and the CI job. Shared by `hhbench record`, `hhbench run` and the Swift harness.
public enum ContextCapture {
    /// - Parameters:
    ///   - directory: where to look for the git repository.
    ///   - machineName: a stable machine name (`--machine`, else `HHBENCH_MACHINE`), else the hostname.
    public static func capture(directory: String = FileManager.default.currentDirectoryPath,
                               machineName: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> RunContext {
        let git = Git(directory: directory)
        let ci = CIEnvironment(environment)
        var context = RunContext()
        let explicitName = machineName ?? environment["HHBENCH_MACHINE"].flatMap { $0.isEmpty ? nil : $0 }
        var machine = MachineProbe.current(name: explicitName)
        machine.namedExplicitly = explicitName != nil
        context.machine = machine
        context.ciProvider = ci.provider
        context.ciJobURL = ci.jobURL
        if let commit = git.commit() {
            context.commit = commit
            context.branch = git.branch ?? ci.branch
            context.dirty = git.isDirty
        } else {
            context.branch = ci.branch
        }
        return context
    }
}
