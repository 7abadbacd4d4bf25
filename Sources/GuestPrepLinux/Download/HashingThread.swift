#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GuestPrepCore

/// A SHA-256 computed on a thread of its own, fed with copies of the bytes a transfer writes.
///
/// Hashing inline in libcurl's write callback made the 1 GiB benchmark (bench/download.sh) take
/// the curl CLI's time plus the hash's (about 0.55 s a GiB with the CPU's SHA extensions; the
/// receive and the write(2) take about 1.4 s): 30% slower. Here the callback copies each chunk
/// into a ring of `slotCount` slots (0.1 s a GiB) and goes on writing while this thread hashes,
/// so the hash costs a core the transfer does not use. One producer, one consumer, two
/// semaphores: `free` counts empty slots, `filled` full ones; a slot's bytes are only read by
/// the side that has just taken it from its semaphore.
final class HashingThread {
    static let slotSize = 512 << 10
    static let slotCount = 8

    private let hasher: SHA256Hasher
    private let storage: UnsafeMutableRawPointer
    /// The byte count of each slot; -1 tells the thread to stop.
    private let lengths: UnsafeMutablePointer<Int>
    /// [free, filled].
    private let semaphores: UnsafeMutablePointer<sem_t>
    private var produceIndex = 0
    private var thread: pthread_t?

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
        let result = pthread_create(&started, nil, { context in
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
            take(semaphores)
            lengths[produceIndex] = -1
            sem_post(semaphores + 1)
            pthread_join(thread, nil)
        }
        release()
    }

    /// Hands a copy of `bytes` to the thread; waits only while every slot is full.
    func update(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let count = min(Self.slotSize, bytes.count - offset)
            take(semaphores)
            (storage + produceIndex * Self.slotSize).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
            lengths[produceIndex] = count
            produceIndex = (produceIndex + 1) % Self.slotCount
            sem_post(semaphores + 1)
            offset += count
        }
    }

    /// Hashes what `fd` reads to its end on this thread (the bytes already in a partial file);
    /// returns the byte count or the errno of a failing read.
    func update(readingToEndOf fd: Int32) -> Result<UInt64, SHA256Hasher.ReadFailure> {
        drain()
        return hasher.update(readingToEndOf: fd)
    }

    /// The SHA-256 of every byte handed over since the last reset; then starts over.
    func finish() -> String {
        drain()
        return hasher.finish()
    }

    /// Forgets every byte handed over.
    func reset() {
        drain()
        hasher.reset()
    }

    /// Waits until the thread has hashed every slot: holding all the free slots means that.
    private func drain() {
        for _ in 0..<Self.slotCount { take(semaphores) }
        for _ in 0..<Self.slotCount { sem_post(semaphores) }
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
