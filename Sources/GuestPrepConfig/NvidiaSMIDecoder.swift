import GuestPrepModel

/// Decodes `nvidia-smi --query-gpu=pci.bus_id,name,persistence_mode,driver_version
/// --format=csv,noheader`: one line per GPU, `00000000:3B:00.0, Tesla V100-PCIE-32GB,
/// Enabled, 580.95.05`.
public enum NvidiaSMIDecoder {
    /// The arguments that produce what `decode` reads.
    public static let arguments = [
        "--query-gpu=pci.bus_id,name,persistence_mode,driver_version", "--format=csv,noheader",
    ]

    /// The GPUs and the driver version, or nil when a line is not of that form.
    public static func decode(_ text: String) -> (driverVersion: String, gpus: [(address: String, name: String, persistence: Bool)])? {
        var version = ""
        var gpus: [(address: String, name: String, persistence: Bool)] = []
        for line in text.split(whereSeparator: \.isNewline) where !line.allSatisfy(\.isWhitespace) {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { Trimming.trim(String($0)) }
            // A product name with a comma would add fields: the first and the last two are fixed.
            guard fields.count >= 4, let address = normalizedAddress(fields[0]) else { return nil }
            let name = fields[1..<(fields.count - 2)].joined(separator: ",")
            gpus.append((address, name, fields[fields.count - 2].lowercased() == "enabled"))
            version = fields[fields.count - 1]
        }
        return version.isEmpty ? nil : (version, gpus)
    }

    /// `0000:3b:00.0` for NVML's and nvidia-smi's `00000000:3B:00.0` (an 8-digit domain).
    public static func normalizedAddress(_ busID: String) -> String? {
        let parts = busID.lowercased().split(separator: ":")
        guard parts.count == 3, let domain = UInt32(parts[0], radix: 16), domain <= 0xffff else { return nil }
        let rest = "\(parts[1]):\(parts[2])"
        let padded = String(repeating: "0", count: 4 - min(4, String(domain, radix: 16).count)) + String(domain, radix: 16)
        guard let address = PCIAddress("\(padded):\(rest)") else { return nil }
        return address.description
    }
}
