#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Shell completion: the bash function (completions/vfiokit.bash) run as
# bash-completion runs it (COMP_WORDS, COMP_CWORD, then COMPREPLY), and the
# zsh function (completions/_vfiokit) through zsh's own completion system in
# a pseudo-terminal (tests/zsh-complete.zsh). Commands come from --help,
# options from each command's --help, profiles from kconfig --help, devices
# from sysfs under the line's --root (the intel fixture here, the machine's
# own otherwise).
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
R=$TMP/root
mkdir -p "$R/lib/modules/6.1.0-test"
tar -xzf "$TOP/tests/fixtures/intel.tar.gz" -C "$R"
BIN=$TMP/bin
mkdir -p "$BIN"
ln -s "$VFIOKIT" "$BIN/vfiokit"
PATH=$BIN:$PATH

# What the answers must be, from the program and the fixture.
commands=$(vfiokit --help | sed -n 's/^  \([a-z]\+\) .*/\1/p' | tr '\n' ' ')
devices="0000:00:00.0 0000:00:01.0 0000:00:02.0 0000:00:03.0 0000:00:1f.0 0000:00:1f.2 0000:00:1f.3 1234:1111 8086:10d3 8086:2918 8086:2922 8086:2930 8086:29c0"
[ "$(ls "$R/sys/bus/pci/devices" | wc -l)" = 7 ] || fail completion/fixture "the intel fixture no longer has 7 devices"

# bcomp WORD...: COMPREPLY for the line WORD... (the last one being
# completed, or word $CWORD), sorted, on one line.
bcomp() {
	CWORD=${CWORD:-} bash -c 'source "$1/completions/vfiokit.bash"; shift
		COMP_WORDS=("$@"); COMP_CWORD=${CWORD:-$(($# - 1))}; _vfiokit
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$TOP" "$@"
}
sorted() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort | tr '\n' ' '; }

expect_eq completion/bash-commands "$(sorted "$commands")" "$(bcomp vfiokit '')"
expect_eq completion/bash-command-prefix "claim cmdline " "$(bcomp vfiokit c)"
expect_eq completion/bash-verbs "check explain merge " "$(bcomp vfiokit kconfig '')"
expect_eq completion/bash-claim-devices "$(sorted "$devices")" "$(bcomp vfiokit --root "$R" claim '')"
expect_eq completion/bash-root-after "$(sorted "$devices")" "$(CWORD=3 bcomp vfiokit groups --device '' --root="$R")"
expect_eq completion/bash-root-split "$(sorted "$devices")" "$(bcomp vfiokit --root = "$R" release '')"
expect_eq completion/bash-device-prefix "8086:10d3 8086:2918 8086:2922 8086:2930 8086:29c0 " \
	"$(bcomp vfiokit -r "$R" modules write --device 8086:)"
expect_eq completion/bash-option "--allow-host-device " "$(bcomp vfiokit plan --al)"
expect_match completion/bash-options-from-help '(^| )--dry-run( |$)' "$(bcomp vfiokit claim --)"
profiles=$(vfiokit kconfig --help | sed -n '/profiles:$/{n;p}')
expect_eq completion/bash-profiles "$(sorted "auto $profiles")" "$(bcomp vfiokit kconfig merge --profile '')"
expect_eq completion/bash-profile-list "iommu-intel,kvm-amd iommu-intel,kvm-intel " \
	"$(bcomp vfiokit kconfig merge --profile iommu-intel,kvm)"
expect_eq completion/bash-kver "$(sorted "$(ls "$R/lib/modules")")" "$(bcomp vfiokit --root "$R" modules check --kver '')"
expect_eq completion/bash-bootloader "builtin grub kernel-cmdline " "$(bcomp vfiokit cmdline set --bootloader '')"

if ! command -v zsh >/dev/null; then
	fail completion/zsh "zsh is not installed (tests/install-deps.sh test installs it)"
	exit 0
fi
# zcomp LINE: the candidates zsh offers after LINE and a Tab, sorted.
# LeakSanitizer's exit check stalls a sanitizer build of vfiokit run from
# zle's completion widget inside the pseudo-terminal (its --help prints
# nothing there now and then); the bash tests above run it with leak checks.
zcomp() {
	sorted "$(ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		timeout 120 zsh -f "$TOP/tests/zsh-complete.zsh" "$TOP/completions" "$1" "$BIN")"
}
expect_eq completion/zsh-commands "$(sorted "$commands")" "$(zcomp 'vfiokit ')"
expect_eq completion/zsh-verbs "lint remove set show " "$(zcomp 'vfiokit cmdline ')"
expect_eq completion/zsh-claim-devices "$(sorted "$devices")" "$(zcomp "vfiokit --root $R claim ")"
expect_eq completion/zsh-option "--allow-host-device " "$(zcomp 'vfiokit plan --al')"
expect_eq completion/zsh-profiles "$(sorted "auto $profiles")" "$(zcomp 'vfiokit kconfig merge --profile iommu-intel,')"
