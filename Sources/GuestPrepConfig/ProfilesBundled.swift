/// The role profiles shipped with guestprep, embedded so the binary needs no data files at run
/// time. Each text is byte for byte the file `profiles/NAME.yaml` in the source tree (a test
/// keeps them equal); decode one with ``ProfileDecoder``.
public enum BundledProfiles {
    /// The YAML text of each bundled profile, by profile name.
    public static let all: [String: String] = [
        "bitfusion-client": #"""
            # Role profile: a VMware vSphere Bitfusion client, a VM that runs GPU workloads on the GPUs of
            # Bitfusion servers over the network.
            #
            # name must equal this file's base name; description says in one line what the profile
            # prepares; steps lists the ids of the steps guestprep runs for this role, in order. guestprep
            # rejects any other field, an unknown step id and a step listed twice. A file of the same name
            # in /etc/guestprep/profiles/ replaces this bundled profile.
            name: bitfusion-client
            description: VMware vSphere Bitfusion client that uses the GPUs of Bitfusion servers
            steps:
              - clone-identity
              - hostname
              - network
              - bitfusion-package
              - bitfusion-group
              - bitfusion-limits
              - bitfusion-client
              - bitfusion-client-check
              - secrets-clear
              - health-timer
            # The health timer starts the main stage again at this interval: the checks run again and
            # anything that drifted is put back (guestprep-health.timer; `health-timer` enables it).
            health: 1h

            """#,
        "bitfusion-server": #"""
            # Role profile: a VMware vSphere Bitfusion server, a VM that shares its passed-through NVIDIA
            # GPUs with Bitfusion clients over the network.
            #
            # name must equal this file's base name; description says in one line what the profile
            # prepares; steps lists the ids of the steps guestprep runs for this role, in order; driver, if
            # given, holds the NVIDIA driver's defaults. guestprep rejects any other field, an unknown step
            # id and a step listed twice. A file of the same name in /etc/guestprep/profiles/ replaces this
            # bundled profile.
            name: bitfusion-server
            description: VMware vSphere Bitfusion server that shares its passed-through NVIDIA GPUs
            steps:
              - clone-identity
              - hostname
              - network
              - nouveau
              - driver-sources
              - driver
              - persistence
              - driver-verify
              - bitfusion-server-check
              - vcenter-verify
              - secrets-clear
              - health-timer
            # The NVIDIA driver's defaults; install_nvidia_packages and guestinfo.guestprep.driver.*
            # override them. Without a branch, guestprep takes 580 capped by the GPUs present; without
            # modules, the open ones where the GPUs allow them.
            driver:
              install: true
              persistence: true
            # The health timer starts the main stage again at this interval: the checks run again and
            # anything that drifted is put back (guestprep-health.timer; `health-timer` enables it).
            health: 1h

            """#,
        "gpu-passthrough": #"""
            # Role profile: a VM that uses its passed-through NVIDIA GPUs itself (DirectPath I/O, DDA or
            # vfio), without Bitfusion.
            #
            # name must equal this file's base name; description says in one line what the profile
            # prepares; steps lists the ids of the steps guestprep runs for this role, in order; driver, if
            # given, holds the NVIDIA driver's defaults. guestprep rejects any other field, an unknown step
            # id and a step listed twice. A file of the same name in /etc/guestprep/profiles/ replaces this
            # bundled profile.
            name: gpu-passthrough
            description: VM that uses its passed-through NVIDIA GPUs directly, without Bitfusion
            steps:
              - clone-identity
              - hostname
              - network
              - nouveau
              - driver-sources
              - driver
              - persistence
              - driver-verify
              - health-timer
            # The NVIDIA driver's defaults; install_nvidia_packages and guestinfo.guestprep.driver.*
            # override them. Without a branch, guestprep takes 580 capped by the GPUs present; without
            # modules, the open ones where the GPUs allow them.
            driver:
              install: true
              persistence: true

            """#,
    ]
}
