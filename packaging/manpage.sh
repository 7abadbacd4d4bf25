#!/usr/bin/env bash
# Writes guestprep(8) to stdout, made from the binary's own help, so the manual page says what
# the packaged binary does:
#
#     packaging/manpage.sh BINARY VERSION DATE
#
# The top-level `--help` gives the description and the list of subcommands; each subcommand's
# `--help` is printed as it is, in a no-fill block. FILES is fixed text. scripts/build-deb.sh
# runs this (lintian's no-manual-page).
set -euo pipefail
[ $# -eq 3 ] || {
  echo "usage: packaging/manpage.sh BINARY VERSION DATE" >&2
  exit 2
}
bin=$1 version=$2 date=$3

# Text for a no-fill block: backslashes escaped, and a line that starts with . or ' made text.
roff_text() { sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\([.']\)/\\\\\&\1/"; }

help=$("$bin" --help)
# The paragraphs between the OVERVIEW line and USAGE: the description.
description=$(printf '%s\n' "$help" | sed -n '/^USAGE:/q; p' | sed '1s/^OVERVIEW: //')
subcommands=$(printf '%s\n' "$help" | sed -n '/^SUBCOMMANDS:/,$p' | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')
[ -n "$subcommands" ] || {
  echo "manpage: no subcommands in $bin --help" >&2
  exit 1
}

cat <<EOF
.TH GUESTPREP 8 "$date" "guestprep $version" "System Administration"
.SH NAME
guestprep \\- first-boot provisioning agent for VMs with passed-through NVIDIA GPUs
.SH SYNOPSIS
.B guestprep
.I subcommand
.RI [ options ]
.br
.B guestprep
.B \\-\\-version
.SH DESCRIPTION
.nf
$(printf '%s\n' "$description" | roff_text)
.fi
.PP
Under systemd,
.B guestprep\\-early.service
runs
.B guestprep run \\-\\-stage early
before networking, and
.B guestprep.service
runs
.B guestprep run \\-\\-stage main
after the network is online, each with the arguments in
.IR /etc/default/guestprep .
.SH SUBCOMMANDS
EOF
for sub in $subcommands; do
  printf '.SS %s\n.nf\n' "$sub"
  "$bin" "$sub" --help | roff_text
  printf '.fi\n'
done
cat <<'EOF'
.SH FILES
.TP
.I /etc/default/guestprep
GUESTPREP_ARGS: extra arguments for both stages under systemd.
.TP
.I /var/lib/guestprep/state.json
The steps done, a pending reboot and the instance identity.
.TP
.I /run/guestprep.lock
Locked (flock) by the guestprep that is changing the machine; another one waits for it at most
\-\-lock\-timeout seconds.
.TP
.I /etc/guestprep/disabled
When it exists, neither unit runs guestprep.
.TP
.I /etc/guestprep/profiles/NAME.yaml
Replaces the built-in profile NAME; the built-in ones are copied in
.IR /usr/share/guestprep/profiles .
.SH SEE ALSO
.BR systemctl (1),
.BR journalctl (1)
EOF
