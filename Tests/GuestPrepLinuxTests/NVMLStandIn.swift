#if canImport(Glibc)
import Glibc
#endif
import GuestPrepLinux
import Testing

/// A stand-in libnvidia-ml.so.1 built from C by a test, so NVMLProbe's dlopen binding runs
/// without a GPU or a driver.
enum NVMLStandIn {
    /// The C compiler that builds it, if there is one.
    static let compiler: String? = ["/usr/bin/cc", "/usr/bin/gcc", "/opt/swift/usr/bin/clang"].first { (path: String) in access(path, X_OK) == 0 }
    static let noCompiler: Comment = "needs a C compiler (cc, gcc or clang) to build the stand-in libnvidia-ml"

    /// Builds `source` in `directory` as libnvidia-ml.so.1 and returns its path; nil (an issue
    /// recorded) when there is no compiler or the build fails.
    static func build(_ source: String, in directory: TemporaryDirectory) -> String? {
        guard let compiler else {
            Issue.record("no C compiler")
            return nil
        }
        directory.write("nvml.c", source)
        let output = directory.file("libnvidia-ml.so.1")
        let result = try? PosixProcessRunner().run(
            executable: compiler, arguments: ["-shared", "-fPIC", "-o", output, directory.file("nvml.c")], timeout: 60)
        guard result?.status == 0 else {
            Issue.record("building the stand-in failed: \(result?.errorText ?? "")")
            return nil
        }
        return output
    }
}
