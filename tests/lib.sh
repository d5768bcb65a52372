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

# vk_live_root DIR: the captured intel tree with the pinned pci.ids and what
# the writing commands read on a live system: /etc/default/grub, an empty
# module tree for 6.1.0, the root file system on tmpfs, no default route.
vk_live_root() {
	local r=$1
	mkdir -p "$r/usr/share/misc" "$r/etc/default" "$r/proc/self" "$r/proc/net" \
		"$r/proc/sys/kernel" "$r/lib/modules/6.1.0"
	tar -xzf "$TOP/tests/fixtures/intel.tar.gz" -C "$r"
	cp "$TOP/tests/fixtures/pci.ids" "$r/usr/share/misc/pci.ids"
	touch "$r"/lib/modules/6.1.0/modules.{dep,alias,builtin,symbols,softdep,devname}
	echo 6.1.0 >"$r/proc/sys/kernel/osrelease"
	printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\n' >"$r/etc/default/grub"
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
