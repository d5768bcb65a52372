#!/bin/bash
# Build the disk image of the GRUB boot harness (tests/vm/run-grub-vm).
#
#   tests/vm/grub-disk.sh OUT.img [--file HOSTSRC:/guest/dest]...
#   tests/vm/grub-disk.sh --cat IMG /guest/path
#
# OUT.img is a GPT disk that boots like an installed Debian system: OVMF runs
# \EFI\BOOT\BOOTX64.EFI from the FAT EFI system partition (partition 1; a GRUB
# made by grub-mkimage from the host's x86_64-efi modules, with an embedded
# config that finds the root by UUID and loads /boot/grub/grub.cfg), which
# boots the Debian kernel of tests/vm/kernel.sh with an initramfs built here
# from the ext4 root (partition 2).  The root holds busybox (applets linked),
# dash as /bin/sh, kmod's tools, lspci and pci.ids, dpkg, the modules of
# tests/vm/mkinitramfs.sh and those needed to mount the root, Debian's real
# grub-mkconfig with grub-probe & co, /etc/grub.d and /usr/share/grub, the
# GRUB modules in /boot/grub/x86_64-efi as grub-install puts them, a stock
# /etc/default/grub (GRUB_TIMEOUT=0, GRUB_CMDLINE_LINUX="console=ttyS0
# no_timer_check": a slow TCG boot can fail the kernel's IO-APIC timer check,
# GRUB_TERMINAL=console), and tests/vm/grub-init.sh as /sbin/init.  Every
# binary comes with the libraries ldd names.
#
# /boot/grub/grub.cfg is written by grub-mkconfig itself: the base image is
# booted once under QEMU with a bootstrap grub.cfg (the install boot, boot 0,
# runs /vk/boot-0.sh), then /vk/boot-0.sh is removed and the base is cached
# under the hash of everything that went into it.  OUT.img is a copy of the
# base into which $VFIOKIT (with its libraries; left out with a warning when
# it is not built) and every --file are written with debugfs (parent
# directories created, mode taken from the host file, owner root).  Nothing
# is loop-mounted; no root privileges are needed.
#
# --cat prints a file of IMG's root file system (debugfs at the partition's
# offset); exit status 1 when it is not there.  VK_GRUB_INSTALL_TIMEOUT
# (default 400) bounds the install boot, in seconds; status 125 when the
# build fails.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/vm/vmlib.sh
. "$TOP/tests/vm/vmlib.sh"
# shellcheck source=tests/vm/tree.sh
. "$TOP/tests/vm/tree.sh"
# mkfs.*, sfdisk, depmod and grub-probe live in sbin.
PATH=$PATH:/usr/sbin:/sbin

# The modules of tests/vm/mkinitramfs.sh, and those that mount the root.
ROOT_MODULES=(vfio vfio_pci vfio_pci_core vfio_iommu_type1 irqbypass pci_stub
	e1000e e1000 8139too 8139cp virtio_rng virtio_pci kvm kvm_intel kvm_amd
	ahci lpc_ich i2c_i801 virtio_blk ext4)
INITRD_MODULES=(virtio_pci virtio_blk ext4)
KMOD_TOOLS="modprobe insmod rmmod lsmod modinfo depmod"
# Built into BOOTX64.EFI: enough to find the root and read grub.cfg; the
# rest comes from /boot/grub/x86_64-efi when grub.cfg says insmod.
GRUB_MODULES="part_gpt part_msdos fat ext2 normal linux configfile search
	search_fs_uuid search_fs_file search_label echo test gzio serial terminal
	efi_gop all_video loadenv reboot halt"
GRUB_MODDIR=/usr/lib/grub/x86_64-efi
GRUB_DATADIR=/usr/share/grub
PCI_IDS=/usr/share/misc/pci.ids
STOCK_DEFAULT_GRUB=$GRUB_DATADIR/default/grub
ESP_MB=32
ROOT_MB=256
INSTALL_TIMEOUT=${VK_GRUB_INSTALL_TIMEOUT:-400}
KEEP_CACHED=2
FILES=()

usage() {
	sed -n '4,5s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
}


# check_tools: die unless every host tool of the build is installed (the
# lists below run in subshells, where a missing tool could not stop it).
check_tools() {
	local tool
	for tool in busybox kmod lspci blkid grub-mkconfig grub-probe grub-editenv \
		grub-script-check grub-mkrelpath grub-file grub-mkimage mkfs.fat mmd \
		mcopy sfdisk partx mkfs.ext4 e2fsck debugfs depmod modprobe cpio gzip \
		ldd sha256sum; do
		host_binary "$tool" >/dev/null
	done
	[ -d "$GRUB_MODDIR" ] || vm_die "$GRUB_MODDIR is missing (install grub-efi-amd64-bin)"
}



# binaries: "SOURCE DEST" for every program of the root (not vfiokit).
binaries() {
	local tool
	printf '%s /bin/busybox\n' "$(host_binary busybox)"
	printf '%s /usr/bin/kmod\n' "$(host_binary kmod)"
	printf '%s /usr/bin/lspci\n' "$(host_binary lspci)"
	printf '%s /sbin/blkid\n' "$(host_binary blkid)"
	# Debian's /bin/sh, and the dpkg 10_linux compares versions with.
	if command -v dash >/dev/null; then
		printf '%s /bin/dash\n' "$(command -v dash)"
	else
		vm_say "warning: dash is not installed; /bin/sh is busybox"
	fi
	! command -v dpkg >/dev/null || printf '%s /usr/bin/dpkg\n' "$(command -v dpkg)"
	for tool in grub-mkconfig grub-probe; do
		printf '%s /usr/sbin/%s\n' "$(host_binary "$tool")" "$tool"
	done
	for tool in grub-editenv grub-script-check grub-mkrelpath grub-file; do
		printf '%s /usr/bin/%s\n' "$(host_binary "$tool")" "$tool"
	done
	! command -v update-grub >/dev/null ||
		printf '%s /usr/sbin/update-grub\n' "$(command -v update-grub)"
}

# grub_files: the data files of grub-mkconfig and GRUB's modules.
grub_files() {
	find /etc/grub.d /etc/default/grub.d "$GRUB_DATADIR" "$GRUB_MODDIR" \
		/usr/lib/grub/grub-mkconfig_lib \( -type f -o -type l \) 2>/dev/null |
		LC_ALL=C sort
}

# cache_key: a hash of every input file and of this build's parameters.
cache_key() {
	local src dst
	{
		printf '%s\n' "$KVER" "${ROOT_MODULES[*]}" "${INITRD_MODULES[*]}" "$KMOD_TOOLS" \
			"$GRUB_MODULES" "$ESP_MB" "$ROOT_MB"
		sha256sum "${BASH_SOURCE[0]}" "$VM_DIR/tree.sh" "$VM_DIR/grub-init.sh" "$VMLINUZ" "$PCI_IDS"
		[ ! -f "$STOCK_DEFAULT_GRUB" ] || sha256sum "$STOCK_DEFAULT_GRUB"
		binaries | while read -r src dst; do
			printf '%s\n' "$dst"
			{ printf '%s\n' "$src"; libraries "$src"; } | xargs sha256sum
		done
		grub_files | xargs sha256sum
		module_files "${ROOT_MODULES[@]}" | sed "s|^|$MODROOT|" | xargs sha256sum
	} | sha256sum | cut -c1-16
}





# initrd_init: /init of the initramfs.  It loads the drivers of the root
# (listed in its /etc/modules), waits for the device that root= names
# (/dev/NAME or UUID=...), mounts it (ro unless rw is given) and hands over
# to its /sbin/init (or init=).
initrd_init() {
	cat <<'EOF'
#!/bin/busybox sh
# /init of the GRUB harness's initramfs (written by tests/vm/grub-disk.sh).
export PATH=/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

panic() {
	echo "initramfs: $*; powering off"
	sync
	poweroff -f
}

root= fstype=ext4 mode=ro init=/sbin/init
for arg in $(cat /proc/cmdline); do
	case $arg in
	root=*) root=${arg#root=} ;;
	rootfstype=*) fstype=${arg#rootfstype=} ;;
	init=*) init=${arg#init=} ;;
	ro | rw) mode=$arg ;;
	esac
done
[ -n "$root" ] || panic "no root= on the kernel command line"
/sbin/modprobe -a $(cat /etc/modules)

# The device node appears when virtio_blk has probed the disk.
dev=
tries=0
while [ -z "$dev" ]; do
	case $root in
	UUID=*) dev=$(findfs "$root" 2>/dev/null) ;;
	/dev/*) [ -b "$root" ] && dev=$root ;;
	*) panic "cannot handle root=$root" ;;
	esac
	[ -n "$dev" ] && break
	tries=$((tries + 1))
	[ "$tries" -le 100 ] || panic "root device $root did not appear"
	sleep 0.1
done
mount -t "$fstype" -o "$mode" "$dev" /root || panic "cannot mount $dev"
for fs in dev proc sys; do
	mount --move "/$fs" "/root/$fs"
done
exec switch_root /root "$init"
EOF
}

# build_initrd OUT: a gzip newc cpio with busybox, kmod and the root's
# modules.
build_initrd() {
	local tree="$WORK/initrd"
	mkdir -p "$tree"/{proc,sys,dev,root,sbin} || return 1
	put_binary "$(host_binary busybox)" "$tree" /bin/busybox || return 1
	put_binary "$(host_binary kmod)" "$tree" /usr/bin/kmod || return 1
	link_tools "$tree" || return 1
	initrd_init >"$tree/init" && chmod 755 "$tree/init" || return 1
	mkdir -p "$tree/etc" && printf '%s\n' "${INITRD_MODULES[@]}" >"$tree/etc/modules" || return 1
	add_modules "$tree" "${INITRD_MODULES[@]}" || return 1
	(cd "$tree" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -n -6 >"$1"
}

# default_grub: Debian's stock /etc/default/grub (the host's copy, or the
# one Debian 12 ships), made fast and visible on the serial console.
default_grub() {
	{
		if [ -f "$STOCK_DEFAULT_GRUB" ]; then
			cat "$STOCK_DEFAULT_GRUB"
		else
			cat <<'EOF'
# If you change this file, run 'update-grub' afterwards to update
# /boot/grub/grub.cfg.
# For full documentation of the options in this file, see:
#   info -f grub -n 'Simple configuration'

GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX=""

# If your computer has multiple operating systems installed, then you
# probably want to run os-prober. However, if your computer is a host
# for guest OSes installed via LVM or raw disk devices, running
# os-prober can cause damage to those guest OSes as it mounts
# filesystems to look for things.
GRUB_DISABLE_OS_PROBER=true

# Uncomment to enable BadRAM filtering, modify to suit your needs
# This works with Linux (no patch required) and with any kernel that obtains
# the memory map information from GRUB (GNU Mach, kernel of FreeBSD ...)
#GRUB_BADRAM="0x01234567,0xfefefefe,0x89abcdef,0xefefefef"

# Uncomment to disable graphical terminal
#GRUB_TERMINAL=console

# The resolution used on graphical terminal
# note that you can use only modes which your graphic card supports via VBE
# you can see them in real GRUB with the command `vbeinfo'
#GRUB_GFXMODE=640x480

# Uncomment if you don't want GRUB to pass "root=UUID=xxx" parameter to Linux
#GRUB_DISABLE_LINUX_UUID=true

# Uncomment to disable generation of recovery mode menu entries
#GRUB_DISABLE_RECOVERY="true"

# Uncomment to get a beep at grub start
#GRUB_INIT_TUNE="480 440 1"
EOF
		fi
	} | sed -e 's/^GRUB_TIMEOUT=.*/GRUB_TIMEOUT=0/' \
		-e 's/^GRUB_CMDLINE_LINUX=.*/GRUB_CMDLINE_LINUX="console=ttyS0 no_timer_check"/' \
		-e 's/^#GRUB_TERMINAL=console$/GRUB_TERMINAL=console/'
}

# bootstrap_cfg UUID: the grub.cfg of the install boot, until grub-mkconfig
# has written the real one.
bootstrap_cfg() {
	cat <<EOF
# The install boot of tests/vm/grub-disk.sh; grub-mkconfig replaces this.
set default=0
set timeout=0
menuentry 'vfiokit install boot' {
	insmod gzio
	insmod part_gpt
	insmod ext2
	search --no-floppy --fs-uuid --set=root $1
	linux /boot/vmlinuz-$KVER root=/dev/vda2 ro console=ttyS0 no_timer_check quiet
	initrd /boot/initrd.img-$KVER
}
EOF
}

# install_script: /vk/boot-0.sh, run by the install boot.
install_script() {
	cat <<'EOF'
#!/bin/sh
# The install boot: Debian's grub-mkconfig writes the real grub.cfg.
set -e
grub-mkconfig -o /boot/grub/grub.cfg
grep '^[[:space:]]*linux[[:space:]]' /boot/grub/grub.cfg
EOF
}

# build_root TREE UUID: lay out the whole root file system.
build_root() {
	local tree=$1 src dst
	mkdir -p "$tree"/{proc,sys,dev,run,tmp,root,mnt,boot/grub,vk} \
		"$tree"/{etc/default,etc/modprobe.d,var/lib/vk-test} || return 1
	chmod 1777 "$tree/tmp"
	while read -r src dst; do
		put_binary "$src" "$tree" "$dst" || return 1
	done < <(binaries)
	link_tools "$tree" || return 1
	[ ! -e "$tree/bin/dash" ] || ln -sf dash "$tree/bin/sh"
	if [ ! -e "$tree/usr/sbin/update-grub" ]; then
		printf '#!/bin/sh\nset -e\nexec grub-mkconfig -o /boot/grub/grub.cfg "$@"\n' \
			>"$tree/usr/sbin/update-grub" && chmod 755 "$tree/usr/sbin/update-grub"
	fi
	rm -f "$tree/sbin/init"
	put "$VM_DIR/grub-init.sh" "$tree" /sbin/init && chmod 755 "$tree/sbin/init" || return 1
	put "$PCI_IDS" "$tree" || return 1
	# grub-mkconfig's scripts and data, GRUB's modules where grub-install
	# puts them.
	cp -a /etc/grub.d "$tree/etc/" || return 1
	[ ! -d /etc/default/grub.d ] || cp -a /etc/default/grub.d "$tree/etc/default/" || return 1
	mkdir -p "$tree/usr/share" "$tree/usr/lib/grub" "$tree/boot/grub/x86_64-efi" || return 1
	cp -a "$GRUB_DATADIR" "$tree/usr/share/" || return 1
	[ ! -e /usr/lib/grub/grub-mkconfig_lib ] ||
		cp -a /usr/lib/grub/grub-mkconfig_lib "$tree/usr/lib/grub/" || return 1
	cp "$GRUB_MODDIR"/*.mod "$GRUB_MODDIR"/*.lst "$tree/boot/grub/x86_64-efi/" || return 1
	default_grub >"$tree/etc/default/grub" || return 1
	grep -q '^GRUB_TERMINAL=' "$tree/etc/default/grub" ||
		echo 'GRUB_TERMINAL=console' >>"$tree/etc/default/grub"
	bootstrap_cfg "$2" >"$tree/boot/grub/grub.cfg" || return 1
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$tree/etc/passwd"
	printf 'root:x:0:\n' >"$tree/etc/group"
	ln -sf ../proc/self/mounts "$tree/etc/mtab"
	# The kernel as Debian installs it.
	put "$VMLINUZ" "$tree" "/boot/vmlinuz-$KVER" || return 1
	[ ! -f "$MODROOT/boot/config-$KVER" ] ||
		put "$MODROOT/boot/config-$KVER" "$tree" "/boot/config-$KVER" || return 1
	build_initrd "$tree/boot/initrd.img-$KVER" || return 1
	add_modules "$tree" "${ROOT_MODULES[@]}" || return 1
	install_script >"$tree/vk/boot-0.sh" && chmod 755 "$tree/vk/boot-0.sh"
}

# make_esp OUT UUID: the FAT EFI system partition with GRUB as the
# removable-media loader \EFI\BOOT\BOOTX64.EFI.
make_esp() {
	local early="$WORK/early.cfg"
	cat >"$early" <<EOF || return 1
search.fs_uuid $2 root hd0,gpt2
set prefix=(\$root)/boot/grub
configfile \$prefix/grub.cfg
EOF
	# shellcheck disable=SC2086 # the module list is split on purpose
	grub-mkimage -O x86_64-efi -d "$GRUB_MODDIR" -p /boot/grub -c "$early" \
		-o "$WORK/BOOTX64.EFI" $GRUB_MODULES || return 1
	mkfs.fat -n EFI -C "$1" $((ESP_MB * 1024)) >/dev/null || return 1
	MTOOLS_SKIP_CHECK=1 mmd -i "$1" ::/EFI ::/EFI/BOOT &&
		MTOOLS_SKIP_CHECK=1 mcopy -i "$1" "$WORK/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
}

# make_disk OUT ESP ROOT: a GPT disk with ESP and ROOT as partitions 1 and 2.
make_disk() {
	local esp_start=2048 root_start
	root_start=$((esp_start + ESP_MB * 2048))
	truncate -s $(((ESP_MB + ROOT_MB + 2) * 1024 * 1024)) "$1" || return 1
	sfdisk -q "$1" <<EOF || return 1
label: gpt
unit: sectors
start=$esp_start, size=$((ESP_MB * 2048)), type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI system partition"
start=$root_start, size=$((ROOT_MB * 2048)), type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="root"
EOF
	dd if="$2" of="$1" bs=1M seek=$((esp_start / 2048)) conv=notrunc,sparse status=none &&
		dd if="$3" of="$1" bs=1M seek=$((root_start / 2048)) conv=notrunc,sparse status=none
}

# root_offset IMG: the byte offset of partition 2 (the root) in IMG.
root_offset() {
	local start
	start=$(partx -g -n 2 -o START "$1" 2>/dev/null | tr -d ' ')
	[ -n "$start" ] || return 1
	printf '%s\n' $((start * 512))
}

# image_debugfs IMG ARGS...: debugfs on IMG's root file system; its
# messages (all but its banner) on stderr.
image_debugfs() {
	local img=$1 off err rc
	shift
	off=$(root_offset "$img") || { vm_say "$img has no partition 2"; return 1; }
	err=$(mktemp) || return 1
	debugfs "$@" "$img?offset=$off" 2>"$err"
	rc=$?
	grep -v '^debugfs [0-9]' "$err" >&2
	rm -f "$err"
	return $rc
}

# image_cat IMG PATH: print PATH of IMG's root; status 1 if it is missing.
image_cat() {
	local out rc=0
	out=$(mktemp) || return 1
	image_debugfs "$1" -R "cat $2" 2>"$out.err" >"$out" || rc=1
	if [ -s "$out.err" ]; then
		cat "$out.err" >&2
		rc=1
	fi
	[ "$rc" != 0 ] || cat "$out"
	rm -f "$out" "$out.err"
	return $rc
}

# inject_commands SRC DEST...: debugfs commands that replace each DEST
# (parents made) by SRC, owner root, mode of the host file.
inject_commands() {
	local src dest dir mode part
	while [ $# -ge 2 ]; do
		src=$1 dest=$2
		shift 2
		dir=
		for part in $(printf '%s\n' "${dest%/*}" | tr '/' ' '); do
			dir="$dir/$part"
			printf 'mkdir %s\n' "$dir"
		done
		mode=$(stat -L -c %a "$src") || return 1
		printf 'rm %s\nwrite %s %s\n' "$dest" "$src" "$dest"
		printf 'sif %s mode 0%o\n' "$dest" $((0100000 | 0$mode))
		printf 'sif %s uid 0\nsif %s gid 0\n' "$dest" "$dest"
	done
}

# inject IMG SRC DEST...: write the files into IMG, then read them back
# (one debugfs run each way) and compare.
inject() {
	local img=$1 cmds="$WORK/inject.cmds" back="$WORK/readback" src dest n=0
	shift
	[ $# -gt 0 ] || return 0
	inject_commands "$@" >"$cmds" || return 1
	image_debugfs "$img" -w -f "$cmds" >/dev/null 2>&1
	mkdir -p "$back" || return 1
	for ((n = 2; n <= $#; n += 2)); do
		printf 'dump %s %s/%d\n' "${!n}" "$back" "$n"
	done >"$cmds"
	image_debugfs "$img" -f "$cmds" >/dev/null 2>&1
	for ((n = 2; n <= $#; n += 2)); do
		src=$((n - 1))
		src=${!src} dest=${!n}
		cmp -s "$back/$n" "$src" ||
			{ vm_say "writing $dest into $img failed"; return 1; }
	done
}

# per_image_files: SRC DEST pairs for vfiokit with its libraries and --file.
per_image_files() {
	local spec lib
	if [ -x "$VFIOKIT" ]; then
		printf '%s\n' "$VFIOKIT" /usr/bin/vfiokit
		for lib in $(libraries "$VFIOKIT"); do
			printf '%s\n' "$lib" "$lib"
		done
	else
		vm_say "warning: $VFIOKIT is not built; the guest has no vfiokit"
	fi
	for spec in "${FILES[@]}"; do
		printf '%s\n' "${spec%%:*}" "${spec#*:}"
	done
}

# install_boot IMG: boot IMG once: /vk/boot-0.sh runs grub-mkconfig.
install_boot() {
	local log="$WORK/install.log"
	vm_say "install boot: grub-mkconfig inside the guest (up to $INSTALL_TIMEOUT s)"
	if ! "$VM_DIR/run-grub-vm" --disk "$1" --iommu none --timeout "$INSTALL_TIMEOUT" >"$log" ||
		! grep -q '^VK-BOOT 0 END 0$' "$log"; then
		cat "$log" >&2
		vm_say "the install boot failed"
		return 1
	fi
}

# finish_base IMG: check the install boot's work and tidy up after it.
finish_base() {
	local img=$1 off line
	off=$(root_offset "$img") || return 1
	e2fsck -f -p "$img?offset=$off" >/dev/null || { vm_say "e2fsck failed"; return 1; }
	image_debugfs "$img" -w -R 'rm /vk/boot-0.sh' >/dev/null || return 1
	[ "$(image_cat "$img" /var/lib/vk-test/boot)" = 0 ] ||
		{ vm_say "the install boot left no boot counter 0"; return 1; }
	line=$(image_cat "$img" /boot/grub/grub.cfg |
		grep -m1 "^[[:space:]]*linux[[:space:]]*/boot/vmlinuz-$KVER ") ||
		{ vm_say "grub-mkconfig wrote no linux line for $KVER"; return 1; }
	case $line in
	*" root=UUID="* | *" root=/dev/vda2 "*) vm_say "grub.cfg:$line" ;;
	*) vm_say "odd root= in grub.cfg:$line"; return 1 ;;
	esac
}

# build_base OUT: the whole base image, install boot included.
build_base() {
	local uuid
	uuid=$(cat /proc/sys/kernel/random/uuid) || return 1
	vm_say "building the base image $1"
	build_root "$WORK/root" "$uuid" || return 1
	make_esp "$WORK/esp.img" "$uuid" || return 1
	truncate -s "${ROOT_MB}M" "$WORK/root.img" &&
		mkfs.ext4 -q -F -L root -U "$uuid" -E root_owner=0:0 -d "$WORK/root" \
		"$WORK/root.img" || return 1
	make_disk "$WORK/disk.img" "$WORK/esp.img" "$WORK/root.img" || return 1
	rm -f "$WORK/esp.img" "$WORK/root.img"
	install_boot "$WORK/disk.img" || return 1
	finish_base "$WORK/disk.img" || return 1
	mv "$WORK/disk.img" "$1"
}

# prune DIR: keep only the KEEP_CACHED newest base images.
prune() {
	find "$1" -maxdepth 1 -name '*.img' -printf '%T@ %p\n' | sort -rn |
		tail -n +$((KEEP_CACHED + 1)) | cut -d' ' -f2- | xargs -r rm -f
}

parse_args() {
	[ $# -gt 0 ] || usage
	case $1 in
	-h | --help) usage ;;
	--cat) [ $# = 3 ] || usage; image_cat "$2" "$3"; exit ;;
	-*) vm_say "unknown option $1"; usage ;;
	esac
	OUT=$1
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--file)
			[ $# -ge 2 ] || { vm_say "--file needs a value"; usage; }
			case $2 in
			*[[:space:]]*) vm_die "--file $2: no white space, please" ;;
			*:/*) ;;
			*) vm_die "--file $2 is not HOSTSRC:/guest/dest" ;;
			esac
			[ -f "${2%%:*}" ] || vm_die "--file $2: no such file ${2%%:*}"
			FILES+=("$2")
			shift 2 ;;
		*) vm_say "unknown option $1"; usage ;;
		esac
	done
}

cleanup() {
	[ -z "${WORK:-}" ] || rm -rf "$WORK"
}

main() {
	local dir key base files
	parse_args "$@"
	check_tools
	vm_kernel || exit 125
	dir="$(vk_cache)/grub-disk"
	mkdir -p "$dir" || vm_die "cannot create $dir"
	key=$(cache_key) || vm_die "cannot hash the inputs"
	base="$dir/$KVER-$key.img"
	WORK=$(mktemp -d "$dir/build.XXXXXX") || vm_die "mktemp failed"
	trap cleanup EXIT
	if [ ! -s "$base" ]; then
		if ! build_base "$base"; then
			trap - EXIT
			vm_die "building the base image failed; the work directory is $WORK"
		fi
		prune "$dir"
	fi
	touch "$base"
	cp --sparse=always "$base" "$OUT.tmp" || vm_die "cannot write $OUT.tmp"
	mapfile -t files < <(per_image_files)
	inject "$OUT.tmp" "${files[@]}" || { rm -f "$OUT.tmp"; vm_die "cannot write the files into $OUT"; }
	mv "$OUT.tmp" "$OUT" || vm_die "cannot write $OUT"
}

main "$@"
