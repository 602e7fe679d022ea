import Foundation
import Analysis
import Records
import Testing

/// `hhbench.toml` is real TOML (TOMLReader, TOML 1.0): every mistake names its line, and no
/// input aborts hhbench.
@Suite struct ProjectConfigTests {
    private func refusal(_ text: String) -> InputError? {
        do {
            _ = try ProjectConfig.parse(text, file: "hhbench.toml")
            return nil
        } catch {
            return error
        }
    }

    @Test func reportAndAlertSettings() throws {
        let config = try ProjectConfig.parse("""
            [report]
            branch = "release/2.x"
            metrics = " time_ms ,p95_time_ms,, rss_kb "

            [alerts]
            notify_url = "https://hooks.example.com/perf?token=x"
            notify_format = "slack"
            """, file: "hhbench.toml")
        #expect(config.reportBranch == "release/2.x")
        #expect(config.reportMetrics == ["time_ms", "p95_time_ms", "rss_kb"])
        #expect(config.notifyURL == "https://hooks.example.com/perf?token=x")
        #expect(config.notifyFormat == "slack")
        let url = refusal("[alerts]\nnotify_url = \"file:///etc/passwd\"")
        #expect(url?.line == 2 && url?.field == "alerts.notify_url")
        #expect(refusal("[alerts]\nnotify_format = \"xml\"")?.field == "alerts.notify_format")
        #expect(refusal("[report]\nmetrics = \" , \"")?.field == "report.metrics")
        #expect(refusal("[report]\nmetric = \"time_ms\"")?.problem == "unknown setting")
    }

    @Test func abSettings() throws {
        let config = try ProjectConfig.parse("""
            [ab]
            build = "make"
            bench = "python3 bench.py"
            output = "out.json"
            input_format = "pytest-benchmark"
            max_rounds = 40
            warmup_rounds = 0
            max_time = "20m"
            """, file: "hhbench.toml")
        #expect(config.ab.build == "make" && config.ab.bench == "python3 bench.py" && config.ab.output == "out.json")
        #expect(config.ab.inputFormat == "pytest-benchmark" && config.ab.maxRounds == 40 && config.ab.warmupRounds == 0)
        #expect(config.ab.maxTimeSeconds == 1200 && config.ab.rounds == nil)
        for (line, fix) in [("max_time = \"forever\"", "max_time = \"20m\""), ("rounds = 0", "rounds = 20"), ("warmup_rounds = -1", "warmup_rounds = 1"),
                            ("bench = 3", "bench"), ("tries = 3", "tries")] {
            let error = try #require(refusal("[ab]\n\(line)\n"), "\(line) was accepted")
            #expect(error.description.contains("hhbench.toml:2") && error.description.contains(fix), "\(line): \(error)")
        }
    }

    @Test func readsRealTOML() throws {
        let config = try ProjectConfig.parse("""
            # literal strings, escapes, inline tables, integers where floats are meant
            metrics = { p95_time_ms = { threshold_pct = 12.5, budget = 100 } }

            [compare]
            baseline = 'release/2.x'
            threshold_pct = 10
            alpha = 1e-2
            correction = "h\\u006Flm"

            [trend]
            method = "otava"
            false_alarms_per_1000 = 1
            """, file: "hhbench.toml")
        #expect(config.baselineBranch == "release/2.x")
        #expect(config.defaults.thresholdPct == 10)
        #expect(config.defaults.alpha == 0.01)
        #expect(config.correction == .holm)
        #expect(config.trendMethod == .otava)
        #expect(config.falseAlarmsPer1000 == 1)
        #expect(config.rules.count == 1)
        #expect(config.rules.first?.metricGlob == "p95_time_ms")
        #expect(config.rules.first?.thresholdPct == 12.5)
        #expect(config.rules.first?.budget == 100)
    }

    @Test func rulesKeepTheirOrderAndTables() throws {
        let config = try ProjectConfig.parse("""
            [[rules]]
            benchmark = "load_*"
            metric = "error_rate"
            budget = 0.01

            [[rules]]
            benchmark = "load_slow"
            direction = "higher_is_better"
            """, file: "hhbench.toml")
        #expect(config.rules.map(\.benchmarkGlob) == ["load_*", "load_slow"])
        #expect(config.rules[1].direction == .higherIsBetter)
    }

    @Test func aSyntaxErrorNamesItsLineAndColumn() throws {
        let error = try #require(refusal("[compare]\nalpha = 0.05\nthreshold_pct = = 3\n"))
        #expect(error.line == 3)
        #expect(error.column != nil)
        #expect(error.description.hasPrefix("hhbench.toml:3:"))
        #expect(error.problem.contains("not valid TOML"))
    }

    @Test func anUnknownSettingNamesItsFieldAndLine() throws {
        let error = try #require(refusal("[compare]\nalpha = 0.05\n\n[[rules]]\nbenchmark = \"a\"\n\n[[rules]]\nbenchmark = \"x\"\nbudjet = 3\n"))
        #expect(error.field == "rules[1].budjet", "\(error)")
        #expect(error.line == 9, "\(error)")
        #expect(error.problem == "unknown setting")
    }

    @Test func aWrongValueNamesItsFieldAndLine() throws {
        let typed = try #require(refusal("[trend]\nmethod = \"levels\"\nfalse_alarms_per_1000 = \"often\"\n"))
        #expect(typed.field == "trend.false_alarms_per_1000", "\(typed)")
        #expect(typed.line == 3, "\(typed)")
        let ranged = try #require(refusal("[compare]\n\nwindow = 0\n"))
        #expect(ranged.field == "compare.window" && ranged.line == 3, "\(ranged)")
        let rule = try #require(refusal("[[rules]]\nmetric = \"x\"\n[[rules]]\ndirection = \"sideways\"\n"))
        #expect(rule.field == "rules[1].direction" && rule.line == 4, "\(rule)")
        let metric = try #require(refusal("[metrics.p95_time_ms]\nalpha = 2\n"))
        #expect(metric.field == "metrics.p95_time_ms.alpha" && metric.line == 2, "\(metric)")
    }

    /// toml++ 3.4.0 (inside TOMLKit 0.6.0, which hhbench used before) aborted on these instead
    /// of reporting an error; fuzzing found them. They are syntax errors with their line now.
    @Test func whatCrashedTheOldTOMLLibraryIsAnError() throws {
        for (text, line) in [("[[[\n", 1), ("[compare]\nalpha = 0.05\n[[]]\n", 3), ("[=\n", 1), ("[[\rrules]]\n", 1),
                             ("[\u{0305}x]\n", 1), ("[compare]\nalpha = [}\n", 2), ("\u{FEFF}[\nx=1", 1), ("\u{FEFF}[[[\n", 1),
                             ("\"a=b\" = [}\n", 1), ("[compare]\n\"a=b\" = [}\n", 2)] {
            let error = try #require(refusal(text), "\(text.debugDescription)")
            #expect(error.line == line && error.problem.hasPrefix("not valid TOML"), "\(text.debugDescription): \(error)")
        }
        // Valid TOML the old precheck had to refuse is read, and judged as settings.
        #expect(refusal("a" + String(repeating: ".a", count: 20) + " = 1\n")?.problem == "unknown setting")
        #expect(refusal("[ compare ]\nalpha = 0.05\n") == nil)
        #expect(refusal("\u{FEFF}[compare]\nalpha = 0.05\n") == nil, "a byte order mark before a good first line")
        #expect(refusal("[\"metrics\".\"p95_time_ms\"]\nbudget = 100\n") == nil)
        #expect(refusal("[[rules]]\nbenchmark = \"t[0-9]*\"  # [a comment]\nbudget = 3\n") == nil, "brackets in a glob or a comment")
    }

    /// Every number goes through the same rule as its flag: nothing non-finite, nothing out of range.
    @Test func numbersOutsideTheirRangeNameTheRange() throws {
        for (text, field) in [("[compare]\nthreshold_pct = nan\n", "compare.threshold_pct"), ("[compare]\nthreshold_pct = inf\n", "compare.threshold_pct"),
                              ("[compare]\nthreshold_pct = -1\n", "compare.threshold_pct"), ("[compare]\nalpha = 1\n", "compare.alpha"),
                              ("[compare]\nwindow = 2.5\n", "compare.window"), ("[compare]\nwindow = 9223372036854775807\n", "compare.window"),
                              ("[compare]\nrun_noise_pct = -inf\n", "compare.run_noise_pct"), ("[compare]\nbudget = nan\n", "compare.budget"),
                              ("[trend]\nfalse_alarms_per_1000 = 0\n", "trend.false_alarms_per_1000"),
                              ("[metrics.x]\nthreshold_pct = 1e308\n", "metrics.x.threshold_pct"), ("[[rules]]\nalpha = -0.0\n", "rules[0].alpha")] {
            let error = try #require(refusal(text), "\(text.debugDescription)")
            #expect(error.field == field && error.line == 2, "\(text.debugDescription): \(error)")
            #expect(error.description.contains(" is not ") && error.fix != nil, "\(error)")
        }
        let config = try ProjectConfig.parse("[compare]\nthreshold_pct = -0.0\nwindow = 1\n[report]\nmetrics = [\"time_ms\", \" rss_kb\"]\n", file: "hhbench.toml")
        #expect(config.defaults.thresholdPct == 0 && config.defaults.thresholdPct.sign == .plus)
        #expect(config.window == 1)
        #expect(config.reportMetrics == ["time_ms", "rss_kb"])
    }

    /// The README's hhbench.toml, as written, is a config hhbench reads.
    @Test func theREADMEsConfigReads() throws {
        let text = try readme()
        let start = try #require(text.range(of: "```toml\n"))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let config = try ProjectConfig.parse(String(text[start.upperBound..<end.lowerBound]), file: "README.md")
        #expect(config.baselineBranch == "main" && config.window == 10)
        #expect(config.reportMetrics == ["time_ms", "p95_time_ms"])
        #expect(config.secretNames == ["cookie"])
        #expect(config.rules.count == 2)
    }
}
