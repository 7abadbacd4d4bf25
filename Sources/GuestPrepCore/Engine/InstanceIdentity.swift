import GuestPrepModel

/// Who this VM is: DMI product_uuid, the MACs of its physical NICs and
/// `guestinfo.guestprep.instance-id` when set. A clone gets a new UUID and new MACs, so its
/// digest changes and per-instance steps run again.
public struct InstanceIdentity: Sendable, Equatable, Codable {
    public var productUUID: String?
    /// Lower-case MACs of NICs backed by a device, sorted, each once: a Hyper-V
    /// accelerated-networking VF has its synthetic NIC's MAC and comes and goes (the host
    /// removes it for servicing), which must not look like a clone.
    public var macs: [String]
    public var instanceID: String?

    public init(productUUID: String?, macs: [String], instanceID: String?) {
        self.productUUID = productUUID
        self.macs = Set(macs).sorted()
        self.instanceID = instanceID
    }

    /// A short, stable fingerprint of the three parts (FNV-1a 64, hex). When an instance id
    /// is set it alone decides, so an operator can pin or force identity.
    public var digest: String {
        let material: String
        if let instanceID { material = "id:" + instanceID } else {
            material = "uuid:" + (productUUID?.lowercased() ?? "") + "|macs:" + macs.joined(separator: ",")
        }
        var hash = FNV1a64()
        hash.mix(material.utf8)
        return hash.hex
    }

    /// Reads the identity from sysfs under the injected file system.
    public static func read(fs: any FileSystem, instanceID: String?) -> InstanceIdentity {
        var macs: [String] = []
        for name in (try? fs.list("/sys/class/net")) ?? [] where name != "lo" {
            // Only NICs backed by a device: bridges, bonds and veths come and go.
            guard fs.exists("/sys/class/net/\(name)/device"),
                let mac = fs.attribute("/sys/class/net/\(name)/address")?.lowercased(),
                mac != "00:00:00:00:00:00"
            else { continue }
            macs.append(mac)
        }
        return InstanceIdentity(
            productUUID: fs.attribute("/sys/class/dmi/id/product_uuid"), macs: macs, instanceID: instanceID)
    }
}
