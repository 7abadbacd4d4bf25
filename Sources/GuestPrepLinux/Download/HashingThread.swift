#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore

/// Gathers a transfer's bytes into large slots, hands each full slot to the caller (who writes
/// it to the file) and then to a thread of its own that hashes it (SHA-256).
///
/// Hashing inline in libcurl's write callback made the 1 GiB benchmark (bench/download.sh) take
/// the curl CLI's time plus the hash's: about 0.55 s a GiB with the CPU's SHA extensions, next
/// to about 1.4 s for the receive and the write(2). Here the callback copies each chunk into
/// the slot being filled (0.1 s a GiB) and the hash runs on a core the transfer does not use.
/// Gathering matters over TLS, where libcurl hands over one 16 KiB record at a time: one
/// write(2) and one hand-over per 512 KiB instead of per record (a hand-over per record made
/// the https benchmark 40% slower than curl, half of it in context switches).
///
/// One producer (the transfer), one consumer (the thread), two semaphores: `free` counts empty
/// slots, `filled` full ones; a slot's bytes are only touched by the side that has just taken
/// it from its semaphore.
final class HashingThread {
    static let slotSize = 512 << 10
    static let slotCount = 8

    private let hasher: SHA256Hasher
    private let storage: UnsafeMutableRawPointer
    /// The byte count of each slot handed to the thread; -1 tells it to stop.
    private let lengths: UnsafeMutablePointer<Int>
    /// [free, filled].
    private let semaphores: UnsafeMutablePointer<sem_t>
    private var thread: pthread_t?
    /// The slot being filled (taken from `free`), and how many bytes it holds.
    private var current: Int?
    private var currentIndex = 0
    private var currentCount = 0

    /// Throws `DownloadError.libraryMissing` when libcrypto.so.3 cannot be loaded, `.local`
    /// when no thread can be started.
    init() throws(DownloadError) {
        hasher = try SHA256Hasher()
        storage = .allocate(byteCount: Self.slotSize * Self.slotCount, alignment: 64)
        lengths = .allocate(capacity: Self.slotCount)
        lengths.initialize(repeating: 0, count: Self.slotCount)
        semaphores = .allocate(capacity: 2)
        sem_init(semaphores, 0, UInt32(Self.slotCount))
        sem_init(semaphores + 1, 0, 0)
        var started = pthread_t()
        let context = Unmanaged.passUnretained(self).toOpaque()
        let result = pthread_create(
            &started, nil,
            { context in
                Unmanaged<HashingThread>.fromOpaque(context!).takeUnretainedValue().consume()
                return nil
            }, context)
        guard result == 0 else {
            release()
            throw .local(path: "(hashing thread)", reason: Posix.describe(result))
        }
        thread = started
    }

    deinit {
        if let thread {
            let index = current ?? takeSlot()
            lengths[index] = -1
            sem_post(semaphores + 1)
            pthread_join(thread, nil)
        }
        release()
    }

    /// Bytes added but not handed over yet (in the slot being filled).
    var pending: Int { currentCount }

    /// Copies `bytes` into the slot being filled; each slot that fills up goes to `write`, then
    /// to the thread. Returns 0, or the first nonzero value `write` returned (then the rest of
    /// `bytes` is dropped).
    func add(_ bytes: UnsafeRawBufferPointer, write: (UnsafeRawBufferPointer) -> Int32) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let index = current ?? takeSlot()
            current = index
            let count = min(Self.slotSize - currentCount, bytes.count - offset)
            (storage + index * Self.slotSize + currentCount).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
            currentCount += count
            offset += count
            if currentCount == Self.slotSize {
                let failure = handOver(write: write)
                if failure != 0 { return failure }
            }
        }
        return 0
    }

    /// Hands over the slot being filled, full or not (to `write`, then to the thread). Returns 0
    /// or what `write` returned.
    func flush(write: (UnsafeRawBufferPointer) -> Int32) -> Int32 {
        guard current != nil, currentCount > 0 else { return 0 }
        return handOver(write: write)
    }

    /// Hashes what `fd` reads to its end on the calling thread (the bytes already in a partial
    /// file); returns the byte count or the errno of a failing read.
    func update(readingToEndOf fd: Int32) -> Result<UInt64, SHA256Hasher.ReadFailure> {
        drain()
        return hasher.update(readingToEndOf: fd)
    }

    /// The SHA-256 of every byte handed over since the last reset (flush first: bytes still in
    /// the slot being filled are not in it); then starts over.
    func finish() -> String {
        drain()
        return hasher.finish()
    }

    /// Forgets every byte added, handed over or not.
    func reset() {
        currentCount = 0
        drain()
        hasher.reset()
    }

    private func handOver(write: (UnsafeRawBufferPointer) -> Int32) -> Int32 {
        let index = current!
        let failure = write(UnsafeRawBufferPointer(start: storage + index * Self.slotSize, count: currentCount))
        lengths[index] = currentCount
        current = nil
        currentCount = 0
        currentIndex = (index + 1) % Self.slotCount
        sem_post(semaphores + 1)
        return failure
    }

    /// The next slot in ring order, once the thread has hashed what it held.
    private func takeSlot() -> Int {
        take(semaphores)
        return currentIndex
    }

    /// Waits until the thread has hashed every slot handed over: holding all the free slots
    /// means that. The slot being filled, if any, is kept.
    private func drain() {
        let held = current == nil ? 0 : 1
        for _ in held..<Self.slotCount { take(semaphores) }
        for _ in held..<Self.slotCount { sem_post(semaphores) }
    }

    private func consume() {
        var index = 0
        while true {
            take(semaphores + 1)
            let count = lengths[index]
            if count < 0 { return }
            hasher.update(UnsafeRawBufferPointer(start: storage + index * Self.slotSize, count: count))
            index = (index + 1) % Self.slotCount
            sem_post(semaphores)
        }
    }

    private func take(_ semaphore: UnsafeMutablePointer<sem_t>) {
        while sem_wait(semaphore) != 0 && errno == EINTR {}
    }

    private func release() {
        sem_destroy(semaphores)
        sem_destroy(semaphores + 1)
        semaphores.deallocate()
        lengths.deallocate()
        storage.deallocate()
    }
}
