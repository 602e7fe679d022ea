// libFuzzer's entry point, and a replayer of saved inputs for tests and triage.
//
// Fuzzing build (Tests/fuzz/run.sh):
//     swift build -c release --product hhbench-fuzz -Xswiftc -sanitize=fuzzer,address \
//         -Xswiftc -parse-as-library -Xswiftc -DFUZZING
// then `HHBENCH_FUZZ_TARGET=native .build-fuzz/release/hhbench-fuzz CORPUS` fuzzes one parser.
// Ordinary build: `hhbench-fuzz TARGET FILE...` runs each file through that target once; it
// exits 0 when every file is handled (accepted or refused with an error), and traps otherwise.
import Foundation

/// The target of this fuzzing process, from HHBENCH_FUZZ_TARGET (default: format detection).
let fuzzTarget = ProcessInfo.processInfo.environment["HHBENCH_FUZZ_TARGET"] ?? "detect"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzTargets.run(fuzzTarget, Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

#if FUZZING
// SwiftPM links an executable's entry point as `<module>_main`; here it hands over to
// libFuzzer's driver (LLVMFuzzerRunDriver), which parses libFuzzer's flags and fuzzes.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("hhbench_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector) { data, size in fuzzOneInput(data, size) }
}
#else
@main
enum Replay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let target = arguments.first, FuzzTargets.names.contains(target) else {
            FileHandle.standardError.write(Data("usage: hhbench-fuzz TARGET FILE... (targets: \(FuzzTargets.names.joined(separator: ", ")))\n".utf8))
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("hhbench-fuzz: cannot read \(path)\n".utf8))
                exit(2)
            }
            FuzzTargets.run(target, Array(data))
        }
    }
}
#endif
