import GuestPrepModel

/// The MTU property: empty means 1500; otherwise a whole number from 68 to 9000. Above 1500
/// the Bitfusion guide says to confirm that the data-center switches have jumbo frames on.
enum MTURule {
    static func validate(_ key: String, nic: Int, _ context: inout ValidationContext) -> Int {
        guard let text = context.value(key) else { return NICSpec.defaultMTU }
        let range = NICSpec.mtuRange
        let allowed = "give an MTU from \(range.lowerBound) to \(range.upperBound), or leave it empty for \(NICSpec.defaultMTU)"
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            context.error(key, "\(Quoting.quote(text)) is not a whole number: \(allowed)")
            return NICSpec.defaultMTU
        }
        guard text.count <= 5, let mtu = Int(text), range.contains(mtu) else {
            context.error(key, "\(Quoting.quote(text)) is out of range: \(allowed)")
            return NICSpec.defaultMTU
        }
        if mtu > NICSpec.defaultMTU {
            context.warning(
                key,
                "MTU \(mtu) on net\(nic) is above \(NICSpec.defaultMTU): make sure jumbo frames are enabled on the data-center network switches, or large packets will be dropped")
        }
        return mtu
    }
}
