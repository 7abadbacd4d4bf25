/// Sums and products of byte counts that come from input (sysfs `resource` lines, the kernel
/// log, /proc/meminfo, the GPU catalog): past UInt64.max (2^64 − 1 bytes, 16 EiB) they stay at
/// UInt64.max and say so, where Swift's `+` and `*` would trap. No machine addresses 16 EiB, so a
/// saturated figure always means the input is wrong, and callers report it as such.
public enum SaturatingSize {
    /// `a + b`, or UInt64.max when the sum passes it.
    public static func adding(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    /// `a × b`, or UInt64.max when the product passes it.
    public static func multiplying(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : product
    }

    /// The sum of `values`, and whether it passed UInt64.max (the total is then UInt64.max).
    public static func sum(_ values: some Sequence<UInt64>) -> (total: UInt64, exceeds: Bool) {
        var total: UInt64 = 0
        for value in values {
            let (sum, overflow) = total.addingReportingOverflow(value)
            if overflow { return (.max, true) }
            total = sum
        }
        return (total, false)
    }

    /// `bytes` in whole units of `unit` bytes, rounded up: `(bytes + unit − 1) / unit` without
    /// the sum that passes UInt64.max near the top.
    public static func ceiling(_ bytes: UInt64, unit: UInt64) -> UInt64 {
        bytes / unit + (bytes % unit == 0 ? 0 : 1)
    }
}
