# Shared helpers for vfiokit's shell tests. Source it; do not run it.
#
# A test script prints one line per test case:
#   PASS <name>
#   FAIL <name>: <what went wrong>
#   SKIP <name>: <why it could not run>
# tests/run counts these lines; nothing else on stdout is counted.

: "${TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${VFIOKIT:=$TOP/vfiokit}"

pass() { printf 'PASS %s\n' "$1"; }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; }
skip() { printf 'SKIP %s: %s\n' "$1" "$2"; }

# expect_eq NAME EXPECTED ACTUAL: PASS when equal, else FAIL with a diff.
expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "output differs"
		diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/    /' | head -n 40
	fi
}

# expect_match NAME ERE TEXT: PASS when TEXT matches the extended regex.
expect_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		pass "$1"
	else
		fail "$1" "no line matches /$2/"
		printf '%s\n' "$3" | sed 's/^/    /' | head -n 40
	fi
}

# vk_cache: where downloaded artefacts live (outside the repository).
vk_cache() {
	local d="${VFIOKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vfiokit}"
	mkdir -p "$d" && printf '%s\n' "$d"
}

# vk_debian_config SERIES: the configuration Debian built its 6.1 or 6.12
# image with (tests/vm/kernel.sh fetches the image).
vk_debian_config() {
	local meta=linux-image-amd64 line root= kver=
	[ "$1" = 6.12 ] && meta=linux-image-6.12-amd64
	while IFS= read -r line; do
		case $line in
		KVER=*) kver=${line#KVER=} ;;
		MODROOT=*) root=${line#MODROOT=} ;;
		esac
	done < <("$TOP/tests/vm/kernel.sh" "$meta" 2>/dev/null)
	[ -n "$root" ] && [ -f "$root/boot/config-$kver" ] && printf '%s\n' "$root/boot/config-$kver"
}

# vk_shared_missing NAME WHAT: WHAT, kept in the checkout's sibling
# directory shared/, is not there: a FAIL, or in a package build, where
# the ebuild sets VFIOKIT_NO_SHARED=1 (its tarball has no sibling), a SKIP
# that says so.
vk_shared_missing() {
	if [ "${VFIOKIT_NO_SHARED:-0}" = 1 ]; then
		skip "$1" "a package build: $2 (the checkout's sibling shared/) is not there"
	else
		fail "$1" "$2 is missing: the checkout's sibling directory shared/ must hold it"
	fi
}

# vk_kernel_image NAME SERIES: KVER and MODROOT of Debian's kernel image of
# SERIES (6.1, 6.12; tests/kernel-image.sh), or FAIL NAME and return 1.
vk_kernel_image() {
	local out err
	err=$(mktemp)
	out=$("$TOP/tests/kernel-image.sh" "$2" 2>"$err") || {
		fail "$1" "tests/kernel-image.sh $2 failed: $(tail -n 3 "$err")"
		rm -f "$err"
		return 1
	}
	rm -f "$err"
	KVER=$(sed -n 's/^KVER=//p' <<<"$out")
	MODROOT=$(sed -n 's/^MODROOT=//p' <<<"$out")
}

# vk_live_root DIR [FIXTURE KVER MODROOT]: a captured tree as a live system
# to plan and apply on: the fixture (intel by default), the pinned pci.ids,
# the root file system on tmpfs and no default route. With KVER and MODROOT,
# Debian's real module tree of KVER (tests/kernel-image.sh) replaces the
# fixture's cut index as the running kernel's; without, an empty module tree
# for 6.1.0 and an /etc/default/grub holding "quiet".
vk_live_root() {
	local r=$1 fixture=${2:-intel} kver=${3:-6.1.0}
	mkdir -p "$r" && tar -xzf "$TOP/tests/fixtures/$fixture.tar.gz" -C "$r" || return 1
	mkdir -p "$r/lib/modules" "$r/etc/default" "$r/usr/share/misc" "$r/proc/sys/kernel" \
		"$r/proc/self" "$r/proc/net"
	cp "$TOP/tests/fixtures/pci.ids" "$r/usr/share/misc/"
	if [ -n "${4:-}" ]; then
		rm -rf "$r/lib/modules/$kver"
		ln -s "$4/lib/modules/$kver" "$r/lib/modules/$kver"
	else
		mkdir -p "$r/lib/modules/$kver"
		for f in dep alias builtin symbols softdep devname; do
			[ -e "$r/lib/modules/$kver/modules.$f" ] || : >"$r/lib/modules/$kver/modules.$f"
		done
		printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\n' >"$r/etc/default/grub"
	fi
	echo "$kver" >"$r/proc/sys/kernel/osrelease"
	echo '22 1 0:20 / / rw,relatime - tmpfs tmpfs rw' >"$r/proc/self/mountinfo"
	printf 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' \
		>"$r/proc/net/route"
}

# vk_readme_session: the code block of README.md's "Your first claim": "$ "
# lines are commands, the lines after each what it prints.
vk_readme_session() {
	sed -n '/^## Your first claim$/,/^## /p' "$TOP/README.md" | sed -n '/^```$/,/^```$/p' |
		sed '/^```$/d'
}

# vk_route_via ROOT ADDR: the IPv4 default route of a vk_live_root goes out
# through the NIC at PCI address ADDR (eth0).
vk_route_via() {
	local d=$1/sys/devices/pci0000:00/$2
	mkdir -p "$d/net/eth0" "$1/sys/class/net"
	ln -s "../../../$2" "$d/net/eth0/device"
	ln -s "../../devices/pci0000:00/$2/net/eth0" "$1/sys/class/net/eth0"
	printf 'eth0\t00000000\t0202000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' >>"$1/proc/net/route"
}
