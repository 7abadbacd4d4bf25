// download-bench URL SHA256 DEST [CA-FILE]: one CurlDownloader download, for bench/download.sh
// (not a guestprep subcommand). Prints bytes, fetched bytes and attempts; exit 1 on failure.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore
import GuestPrepLinux

func fail(_ message: String, status: Int32) -> Never {
    let bytes = Array((message + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(status)
}

let arguments = CommandLine.arguments
guard arguments.count == 4 || arguments.count == 5 else {
    fail("usage: download-bench URL SHA256 DEST [CA-FILE]", status: 2)
}
let request = DownloadRequest(
    url: arguments[1], destination: arguments[3], sha256: arguments[2],
    caFile: arguments.count == 5 ? arguments[4] : nil, attempts: 1)
do {
    let result = try CurlDownloader().download(request) { _ in }
    print("bytes \(result.bytes) fetched \(result.fetched) attempts \(result.attempts)")
} catch {
    fail("download-bench: \(error)", status: 1)
}
