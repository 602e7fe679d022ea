import Foundation

/// Load mode: `concurrency` workers start staggered over `rampUp` seconds and run the command back
/// to back until `duration` seconds have passed since the start (or `maxRuns` runs in all): the
/// loop is bounded in time and count and stops by itself.
public struct LoadRunner: Sendable {
    public let executor: Executor
    public let concurrency: Int
    public let duration: Double
    public let rampUp: Double
    public let maxRuns: Int

    public let progress: (@Sendable (Progress) -> Void)?

    /// What the workers have done so far, for a progress line.
    public struct Progress: Sendable {
        public let elapsedSeconds: Double
        public let runs: Int
        public let errors: Int
        public var throughput: Double { elapsedSeconds > 0 ? Double(runs) / elapsedSeconds : 0 }
    }

    /// `progress`, when given, is called about four times a second while the workers run.
    public init(executor: Executor, concurrency: Int, duration: Double, rampUp: Double, maxRuns: Int = 1_000_000,
                progress: (@Sendable (Progress) -> Void)? = nil) {
        self.progress = progress
        self.executor = executor
        self.concurrency = concurrency
        self.duration = duration
        self.rampUp = rampUp
        self.maxRuns = maxRuns
    }

    public struct Result: Sendable {
        public let executions: [Execution]
        /// From the start to the end of the last completed run.
        public let measuredSeconds: Double

        public var throughput: Double { measuredSeconds > 0 ? Double(executions.count) / measuredSeconds : 0 }
        public var errorRate: Double { executions.isEmpty ? 0 : Double(executions.filter { $0.exitCode != 0 }.count) / Double(executions.count) }
    }

    final class Collector: @unchecked Sendable {
        let lock = NSLock()
        var executions: [Execution] = []
        var lastEnd = 0.0
        var failure: Error?
    }

    public func run(_ command: String) throws -> Result {
        let collector = Collector()
        let start = MonotonicClock.now()
        let end = start + duration
        let group = DispatchGroup()
        for worker in 0..<concurrency {
            group.enter()
            let delay = concurrency > 1 ? rampUp * Double(worker) / Double(concurrency) : 0
            let executor = self.executor, maxRuns = self.maxRuns
            let thread = Thread {
                defer { group.leave() }
                let begin = start + delay
                while MonotonicClock.now() < begin { usleep(useconds_t(max(1, min(10_000, (begin - MonotonicClock.now()) * 1e6)))) }
                while MonotonicClock.now() < end {
                    collector.lock.lock()
                    let enough = collector.executions.count >= maxRuns || collector.failure != nil
                    collector.lock.unlock()
                    if enough { break }
                    do {
                        let execution = try executor.measure(command)
                        let finished = MonotonicClock.now()
                        collector.lock.lock()
                        collector.executions.append(execution)
                        collector.lastEnd = max(collector.lastEnd, finished)
                        collector.lock.unlock()
                    } catch {
                        collector.lock.lock()
                        collector.failure = error
                        collector.lock.unlock()
                        break
                    }
                }
            }
            thread.start()
        }
        while group.wait(timeout: .now() + .milliseconds(250)) == .timedOut {
            guard let progress else { continue }
            collector.lock.lock()
            let runs = collector.executions.count
            let errors = collector.executions.lazy.filter { $0.exitCode != 0 }.count
            collector.lock.unlock()
            progress(Progress(elapsedSeconds: MonotonicClock.now() - start, runs: runs, errors: errors))
        }
        if let failure = collector.failure { throw failure }
        return Result(executions: collector.executions, measuredSeconds: max(collector.lastEnd - start, 0))
    }
}
