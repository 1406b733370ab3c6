import Foundation
import FuzzHarness

// `make fuzz` builds this target with -sanitize=fuzzer,address and -DWBDIT_FUZZ; an
// ordinary build (make test) links it without libFuzzer, as a stub that says how to fuzz.
// The parser under test is chosen by WBDIT_FUZZ_TARGET (one of FuzzHarness.targets).

func fuzzTarget() -> String { ProcessInfo.processInfo.environment["WBDIT_FUZZ_TARGET"] ?? "npy" }

#if WBDIT_FUZZ
/// libFuzzer's driver (from the toolchain's fuzzer runtime, linked by -sanitize=fuzzer).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// SwiftPM names an executable's entry point after its target; libFuzzer runs from here.
@_cdecl("wbdit_fuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { bytes, size in
        FuzzHarness.run(fuzzTarget(), bytes.map { Data(bytes: $0, count: size) } ?? Data())
        return 0
    }
}

/// The entry point libFuzzer's own main calls, when the linker takes that main instead.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzHarness.run(fuzzTarget(), bytes.map { Data(bytes: $0, count: size) } ?? Data())
    return 0
}
#else
@_cdecl("wbdit_fuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FileHandle.standardError.write(Data("wbdit-fuzz: built without libFuzzer; run `make fuzz`\n".utf8))
    return 2
}
#endif
