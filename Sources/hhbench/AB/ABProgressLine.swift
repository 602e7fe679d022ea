import Analysis
import Foundation

/// The one line a person at a terminal sees while `ab` works: the step, or the round, the
/// verdicts so far and the time. Off a terminal nothing is drawn (a CI log keeps the report only).
struct ABProgressLine: Sendable {
    func status(_ text: String) {
        draw(text)
    }

    func update(round: Int, of rounds: Int, report: CompareReport, seconds: Double) {
        let counts = CompareRendering.summaryLine(report)
        draw("round \(round) of at most \(rounds)  \(counts.isEmpty ? "nothing tested yet" : counts)  \(CompareRendering.seconds(seconds))")
    }

    func clear() { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }

    private func draw(_ text: String) {
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + "ab  " + text).utf8))
    }
}
