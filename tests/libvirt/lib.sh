# Shared by the libvirt tests: a root that joins a captured CPU topology to
# the "intel" fixture's PCI devices, and the checks of the pinning rules
# made from the captured sysfs files themselves. Source it after
# tests/lib.sh; do not run it.
# shellcheck shell=bash

TOPOLOGY_DIR="$TOP/../shared/topology"

# topology_archives: the captures to test, one path a line: the real
# machines' (outside the project) and the project's QEMU captures.
topology_archives() {
	ls "$TOPOLOGY_DIR"/*.tar.gz 2>/dev/null
	ls "$TOP"/tests/fixtures/topology-*.tar.gz 2>/dev/null
}

# make_root ARCHIVE DIR: DIR becomes a root with ARCHIVE's CPUs, the intel
# fixture's PCI devices and a vfiokit.conf that claims its two NICs.
make_root() {
	local tmp sys
	tmp=$(mktemp -d) || return 1
	tar xzf "$TOP/tests/fixtures/intel.tar.gz" -C "$2" &&
		tar xzf "$1" -C "$tmp" || { rm -rf "$tmp"; return 1; }
	sys=$(find "$tmp" -type d -path '*/sys/devices/system' | head -n 1)
	mkdir -p "$2/sys/devices/system" "$2/etc" &&
		cp -r "$sys"/cpu "$2/sys/devices/system/" &&
		{ [ ! -d "$sys/node" ] || cp -r "$sys/node" "$2/sys/devices/system/"; }
	local rc=$?
	rm -rf "$tmp"
	printf 'devices = {\n\tnic = { id = "8086:10d3"; };\n};\n' >"$2/etc/vfiokit.conf"
	return $rc
}

# expand LIST: a kernel CPU list ("0-3,8") as numbers, one a line.
expand() {
	local part
	local IFS=,
	for part in $1; do
		case $part in
		*-*) seq "${part%-*}" "${part#*-}" ;;
		'') ;;
		*) echo "$part" ;;
		esac
	done
}

# load_topology ROOT: from ROOT's files, for every online CPU c:
# SIB[c] (its siblings, "a,b"), PKG[c], L3[c] (the L3's shared list, or
# "package N" without an L3); HOST_FIRST (the lowest online CPU) and T (the
# threads of its core).
load_topology() {
	local cpu=$1/sys/devices/system/cpu c i f
	declare -gA SIB=() PKG=() L3=()
	ONLINE=$(expand "$(cat "$cpu/online")")
	for c in $ONLINE; do
		[ -d "$cpu/cpu$c/topology" ] || continue
		SIB[$c]=$(expand "$(cat "$cpu/cpu$c/topology/thread_siblings_list")" | paste -sd,)
		PKG[$c]=$(cat "$cpu/cpu$c/topology/physical_package_id")
		L3[$c]="package ${PKG[$c]}"
		for i in "$cpu/cpu$c"/cache/index*; do
			f=$i/level
			[ -f "$f" ] && [ "$(cat "$f")" = 3 ] && L3[$c]=$(cat "$i/shared_cpu_list")
		done
	done
	HOST_FIRST=$(printf '%s\n' "${!SIB[@]}" | sort -n | head -n 1)
	T=$(expand "${SIB[$HOST_FIRST]}" | wc -l)
	# the free cores, once each: "package<TAB>L3"
	FREE=$(for c in "${!SIB[@]}"; do
		[ "${SIB[$c]%%,*}" = "$c" ] || continue
		[ "${SIB[$c]}" = "${SIB[$HOST_FIRST]}" ] && continue
		[ "$(expand "${SIB[$c]}" | wc -l)" = "$T" ] || continue
		printf '%s\t%s\n' "${PKG[$c]}" "${L3[$c]}"
	done)
}

# fewest_l3 K: the fewest L3 domains of one package that hold K free cores
# (cores with T threads, the host's first core left out); 0 when none.
fewest_l3() {
	awk -F'\t' -v k="$1" '
		{ size[$1 "\t" $2]++; pkgs[$1] = 1 }
		END {
			best = 0
			for (p in pkgs) {
				n = 0
				for (d in size) {
					split(d, f, "\t")
					if (f[1] == p)
						s[++n] = size[d]
				}
				# biggest domains first
				for (a = 1; a <= n; a++)
					for (b = a + 1; b <= n; b++)
						if (s[b] > s[a]) { t = s[a]; s[a] = s[b]; s[b] = t }
				sum = 0
				for (a = 1; a <= n; a++) {
					sum += s[a]
					if (sum >= k) {
						if (!best || a < best)
							best = a
						break
					}
				}
			}
			print best
		}' <<<"$FREE"
}

# check_pinning NAME XML: the rules on XML's cputune, from the loaded
# topology: each guest core (T consecutive vCPUs) is one host core with all
# its siblings; one package; the fewest L3 domains; not the host's first
# core; emulator and I/O threads off the guest's CPUs; the <topology>
# matches. One PASS or FAIL line.
check_pinning() {
	local name=$1 xml=$2 pins emu cores threads why="" i
	pins=$(grep -o '<vcpupin vcpu="[0-9]*" cpuset="[0-9]*"' <<<"$xml" | sed 's/.*cpuset="//; s/"//')
	emu=$(grep -o '<emulatorpin cpuset="[^"]*"' <<<"$xml" | sed 's/.*cpuset="//; s/"//')
	cores=$(grep -o 'cores="[0-9]*"' <<<"$xml" | tr -dc 0-9)
	threads=$(grep -o 'threads="[0-9]*"' <<<"$xml" | tr -dc 0-9)
	local -a v
	mapfile -t v <<<"$pins"
	[ -n "$pins" ] || why="no vcpupin"
	[ "$threads" = "$T" ] || why="${why:+$why; }topology threads=$threads, host cores have $T"
	[ "$((cores * threads))" = "${#v[@]}" ] ||
		why="${why:+$why; }topology $cores x $threads for ${#v[@]} vCPUs"
	for ((i = 0; i < ${#v[@]}; i += T)); do
		local core
		core=$(printf '%s\n' "${v[@]:i:T}" | sort -n | paste -sd,)
		[ "$core" = "${SIB[${v[i]}]}" ] ||
			why="${why:+$why; }vCPUs $i.. are host CPUs $core, not the core ${SIB[${v[i]}]}"
	done
	local pkgs l3s want
	pkgs=$(for c in "${v[@]}"; do echo "${PKG[$c]}"; done | sort -u | wc -l)
	[ "$pkgs" = 1 ] || why="${why:+$why; }$pkgs packages"
	for c in "${v[@]}"; do
		[ "${SIB[$c]}" = "${SIB[$HOST_FIRST]}" ] && why="${why:+$why; }CPU $c is on the host's first core"
	done
	l3s=$(for c in "${v[@]}"; do echo "${L3[$c]}"; done | sort -u | wc -l)
	want=$(fewest_l3 "$cores")
	[ "$l3s" = "$want" ] || why="${why:+$why; }$l3s L3 domains where $want hold $cores cores"
	for c in $(expand "$emu"); do
		printf '%s\n' "${v[@]}" | grep -qx "$c" && why="${why:+$why; }emulator on guest CPU $c"
	done
	[ -n "$emu" ] || why="${why:+$why; }no emulatorpin"
	if [ -z "$why" ]; then
		pass "$name"
	else
		fail "$name" "$why"
	fi
}

# as_virsh_user CMD...: CMD as a user an embedded libvirt accepts. As root,
# libvirt's privileged QEMU driver wants its system user (libvirt-qemu),
# which only the system daemon's package creates: run unprivileged instead.
as_virsh_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=nobody --regid="$(id -gn nobody)" --clear-groups "$@"
	else
		"$@"
	fi
}

# embed_dir: a new directory for qemu:///embed?root=..., writable by
# as_virsh_user, short enough for libvirt's UNIX socket paths.
embed_dir() {
	local d
	d=$(mktemp -d /tmp/vk-embed.XXXXXX) || return 1
	[ "$(id -u)" != 0 ] || chown nobody "$d"
	chmod 755 "$d"
	printf '%s\n' "$d"
}

# virsh_embed DIR ARGS...: virsh on the embedded QEMU driver rooted at DIR.
virsh_embed() {
	local d=$1
	shift
	as_virsh_user env HOME="$d" virsh -q -c "qemu:///embed?root=$d" "$@"
}

# pins XML / hostdevs XML: the vcpupin/emulatorpin/iothreadpin lines and the
# hostdev source and guest addresses, quoting and order normalised, for
# comparing what vfiokit printed with what libvirt read back.
pins() {
	grep -oE "<(vcpupin|emulatorpin|iothreadpin) [^/]*" <<<"$1" | tr "'" '"' | sort
}
hostdevs() {
	sed -n '/<hostdev/,/<\/hostdev>/p' <<<"$1" | grep -o '<address [^/]*' |
		tr "'" '"' | sed 's/ type="pci"//'
}
