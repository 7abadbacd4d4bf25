import GuestPrepCore
import GuestPrepModel
import GuestPrepTesting
import Testing

@Suite struct InstanceIdentityTests {
    /// A Hyper-V guest with one synthetic NIC, with and without its accelerated-networking VF.
    /// /sys/class/net entries are directories here (the older layout): the in-memory file
    /// system does not resolve links in the middle of a path, and `read` relies on the real
    /// one doing so.
    private func hyperV(withVF: Bool) -> InMemoryFileSystem {
        let fs = InMemoryFileSystem([
            "/sys/class/dmi/id/product_uuid": "6E2F1D84-0000-4000-8000-0000000000AA\n",
            "/sys/class/net/eth0/address": "00:15:5d:00:00:01\n",
            "/sys/class/net/lo/address": "00:00:00:00:00:00\n",
            "/sys/class/net/br0/address": "02:00:00:00:00:10\n",
            "/sys/devices/LNXSYSTM:00/VMBUS:00/ff1b2c3d-0000-4000-8000-000000000001/class_id": "x\n",
            "/sys/devices/pci7870:00/7870:00:02.0/vendor": "0x15b3\n",
        ])
        fs.setLink("/sys/class/net/eth0/device", to: "../../../devices/LNXSYSTM:00/VMBUS:00/ff1b2c3d-0000-4000-8000-000000000001")
        if withVF {
            fs.setText("/sys/class/net/enP30832s1/address", "00:15:5D:00:00:01\n")
            fs.setLink("/sys/class/net/enP30832s1/device", to: "../../../devices/pci7870:00/7870:00:02.0")
        }
        return fs
    }

    @Test func theVFComingAndGoingIsNotAClone() {
        let with = InstanceIdentity.read(fs: hyperV(withVF: true), instanceID: nil)
        let without = InstanceIdentity.read(fs: hyperV(withVF: false), instanceID: nil)
        #expect(with.macs == ["00:15:5d:00:00:01"])
        #expect(with.digest == without.digest)
    }

    @Test func aNewMACOrUUIDIsANewInstanceAndAnInstanceIDDecidesAlone() {
        let base = InstanceIdentity(productUUID: "u1", macs: ["00:50:56:00:00:02", "00:50:56:00:00:01"], instanceID: nil)
        #expect(base.macs == ["00:50:56:00:00:01", "00:50:56:00:00:02"])
        #expect(InstanceIdentity(productUUID: "u1", macs: ["00:50:56:00:00:01", "00:50:56:00:00:02"], instanceID: nil).digest == base.digest)
        #expect(InstanceIdentity(productUUID: "u1", macs: ["00:50:56:00:00:03"], instanceID: nil).digest != base.digest)
        #expect(InstanceIdentity(productUUID: "u2", macs: base.macs, instanceID: nil).digest != base.digest)
        #expect(InstanceIdentity(productUUID: "u1", macs: [], instanceID: "vm-7").digest
            == InstanceIdentity(productUUID: "u9", macs: ["00:50:56:00:00:09"], instanceID: "vm-7").digest)
    }
}
