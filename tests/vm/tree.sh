# Building a guest's file tree from the host's files, for the real-boot
# harness (tests/vm/mkinitramfs.sh, tests/vm/grub-disk.sh).  Source it after
# tests/vm/vmlib.sh; KVER and MODROOT name the kernel, KMOD_TOOLS kmod's tools.
# shellcheck shell=bash

# host_binary NAME: absolute path of a host tool, or die.
host_binary() {
	command -v "$1" || vm_die "$1 is not installed (see tests/install-deps.sh)"
}

# libraries BINARY: the libraries (and loader) ldd names, one path a line.
libraries() {
	ldd "$1" 2>/dev/null | grep -o '/[^ ]*' || true
}

# module_files MODULE...: the .ko paths (relative to MODROOT) with deps.
module_files() {
	local m
	for m in "$@"; do
		modprobe -d "$MODROOT" -S "$KVER" --show-depends "$m" ||
			vm_say "module $m is not in $KVER; left out"
	done | awk -v root="$MODROOT" '$1 == "insmod" {
		print substr($2, index($2, root) == 1 ? length(root) + 1 : 1) }' |
		sort -u
}

# put SRC TREE [DEST]: copy SRC (dereferenced, mode kept) to TREE/DEST.
put() {
	local dst="$2${3:-$1}"
	mkdir -p "${dst%/*}" && cp -L --preserve=mode "$1" "$dst"
}

# put_binary SRC TREE DEST: a program and every library ldd names.
put_binary() {
	local lib
	put "$1" "$2" "$3" || return 1
	for lib in $(libraries "$1"); do
		put "$lib" "$2" || return 1
	done
}

# link_tools TREE: busybox applets, then kmod's tools over busybox's.
link_tools() {
	local applet tool
	while read -r applet; do
		[ -e "$1/$applet" ] && continue # a real program is there already
		mkdir -p "$1/${applet%/*}" && ln -sf /bin/busybox "$1/$applet"
	done < <(busybox --list-full | grep -v -e '^linuxrc$' -e '^bin/busybox$')
	for tool in $KMOD_TOOLS; do
		ln -sf /usr/bin/kmod "$1/sbin/$tool"
	done
}

# add_modules TREE MODULE...: the modules with deps, builtin lists, depmod.
add_modules() {
	local tree=$1 ko f mdir="/lib/modules/$KVER"
	shift
	for ko in $(module_files "$@"); do
		put "$MODROOT$ko" "$tree" "$ko" || return 1
	done
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		put "$MODROOT$mdir/$f" "$tree" "$mdir/$f" || return 1
	done
	depmod -b "$tree" "$KVER"
}
