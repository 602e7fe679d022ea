import Foundation

/// Load mode: `concurrency` workers start staggered over `rampUp` seconds and run the command back
/// to back until `duration` seconds have passed since the start (or `maxRuns` runs in all): the
/// loop is bounded in time and count and stops by itself.
package struct LoadRunner: Sendable {
    package let executor: Executor
    package let concurrency: Int
    package let duration: Double
    package let rampUp: Double
    package let maxRuns: Int

    package let progress: (@Sendable (Progress) -> Void)?

    /// What the workers have done so far, for a progress line.
    package struct Progress: Sendable {
        package let elapsedSeconds: Double
        package let runs: Int
        package let errors: Int
        package var throughput: Double { elapsedSeconds > 0 ? Double(runs) / elapsedSeconds : 0 }
    }

    /// `progress`, when given, is called about four times a second while the workers run.
    package init(executor: Executor, concurrency: Int, duration: Double, rampUp: Double, maxRuns: Int = 1_000_000,
                progress: (@Sendable (Progress) -> Void)? = nil) {
        self.progress = progress
        self.executor = executor
        self.concurrency = concurrency
        self.duration = duration
        self.rampUp = rampUp
        self.maxRuns = maxRuns
    }

    package struct Result: Sendable {
        package let executions: [Execution]
        /// From the start to the end of the last completed run.
        package let measuredSeconds: Double

        package var throughput: Double { measuredSeconds > 0 ? Double(executions.count) / measuredSeconds : 0 }
        package var errorRate: Double { executions.isEmpty ? 0 : Double(executions.filter { $0.exitCode != 0 }.count) / Double(executions.count) }
    }

    final class LoadTally: @unchecked Sendable {
        let lock = NSLock()
        var executions: [Execution] = []
        var lastEnd = 0.0
        var failure: Error?
    }

    package func run(_ command: String) throws -> Result {
        let collector = LoadTally()
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
        if let progress {
            // Woken four times a second only when someone shows the progress.
            while group.wait(timeout: .now() + .milliseconds(250)) == .timedOut {
                collector.lock.lock()
                let runs = collector.executions.count
                let errors = collector.executions.lazy.filter { $0.exitCode != 0 }.count
                collector.lock.unlock()
                progress(Progress(elapsedSeconds: MonotonicClock.now() - start, runs: runs, errors: errors))
            }
        } else {
            group.wait()
        }
        if let failure = collector.failure { throw failure }
        return Result(executions: collector.executions, measuredSeconds: max(collector.lastEnd - start, 0))
    }
}
