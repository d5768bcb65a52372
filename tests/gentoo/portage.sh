#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Gentoo tier: Portage's own `ebuild ... manifest clean test install` on the
# overlay in ebuild/, for the release ebuild (with the tarball `make dist`
# makes, put in DISTDIR as if fetched) and for the live one (git-r3 cloning
# this checkout through EGIT_OVERRIDE_REPO_*).
#
# Portage runs from ../shared/gentoo/portage (unmodified source, as its
# README says) with default FEATURES, a throw-away PORTAGE_CONFIGROOT and
# PORTAGE_TMPDIR, and a minimal gentoo repository made of the real
# eclasses, profiles and metadata from ../shared/gentoo/gentoo.
#
# Portage's sandbox preloads libsandbox.so into every process of every
# phase; Debian does not package it. A stand-in library built here is
# preloaded the same way (LD_PRELOAD, which Portage passes to every phase),
# so that what the preload breaks breaks here too: an AddressSanitizer
# build refuses to start after it (checked first). The stand-in records
# each program it is loaded into, which shows the tests ran under it. It
# does not restrict writes as the real sandbox does.
#
# The tarball and the live clone are of the commit at HEAD: changes not
# committed yet are not in them.
#
#   tests/gentoo/portage.sh [PV...]    only these versions (default: the
#                                      release in the Makefile and 9999);
#                                      VFIOKIT_KEEP_TMP=1 keeps the logs
source "$(dirname "$0")/../lib.sh"

SHARED=$TOP/../shared/gentoo
PORTAGE=$SHARED/portage
if [ ! -x "$PORTAGE/bin/ebuild" ] || [ ! -d "$SHARED/gentoo/eclass" ]; then
	fail gentoo/portage "no Portage in ../shared/gentoo (expected $PORTAGE/bin/ebuild and $SHARED/gentoo/eclass next to the checkout)"
	exit 0
fi
for tool in git python3 cc make; do
	if ! command -v "$tool" >/dev/null; then
		fail gentoo/portage "$tool is not installed (tests/install-deps.sh test installs it)"
		exit 0
	fi
done

TMP=$(mktemp -d)
if [ -n "${VFIOKIT_KEEP_TMP:-}" ]; then
	echo "    keeping $TMP (VFIOKIT_KEEP_TMP)"
else
	trap 'rm -rf "$TMP"' EXIT
fi
version=$(sed -n 's/^VERSION *:= *//p' "$TOP/Makefile")
live=9999

# The stand-in sandbox library, and proof that it breaks an ASan build as
# the real one does.
cat >"$TMP/standin.c" <<'EOF'
/* Stand-in for Portage's libsandbox.so: preloaded into every process of a
 * phase; appends the program's path to $VK_STANDIN_LOG. */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
__attribute__((constructor)) static void standin(void)
{
	const char *log = getenv("VK_STANDIN_LOG");
	char exe[PATH_MAX];
	ssize_t n;
	int fd;

	if (!log || (n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		return;
	exe[n++] = '\n';
	fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd >= 0) {
		if (write(fd, exe, n) < 0) {
		}
		close(fd);
	}
}
EOF
STANDIN=$TMP/lib/libsandbox-standin.so
mkdir -p "$TMP/lib"
if ! cc -shared -fPIC -O1 -o "$STANDIN" "$TMP/standin.c" 2>"$TMP/cc.err"; then
	fail gentoo/portage/standin "the stand-in library does not build: $(head -n 3 "$TMP/cc.err")"
	exit 0
fi
printf 'int main(void) { return 0; }\n' >"$TMP/asan.c"
if cc -fsanitize=address -o "$TMP/asan" "$TMP/asan.c" 2>/dev/null; then
	err=$(LD_PRELOAD=$STANDIN "$TMP/asan" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && grep -q 'ASan runtime does not come first' <<<"$err"; then
		pass gentoo/portage/standin-breaks-asan
	else
		fail gentoo/portage/standin-breaks-asan "an ASan program started under the stand-in (exit $rc): $err"
	fi
else
	skip gentoo/portage/standin-breaks-asan "cc cannot build with -fsanitize=address"
fi

# Portage, runnable: the copy in ../shared keeps each of Portage's git
# symlinks (bin/ebuild-ipc -> ebuild-pyhelper, the ebuild-helpers aliases)
# as a file holding its target, as git stores it. A copy here with those
# files made symlinks again is the tree `git checkout` gives.
cp -r "$PORTAGE" "$TMP/portage"
PORTAGE=$TMP/portage
links=0
while IFS= read -r -d '' f; do
	target=$(cat "$f")
	[ "$(tail -c1 "$f" | od -An -c | tr -d ' ')" != '\n' ] || continue
	[ -n "$target" ] && [[ $target != *[[:space:]]* ]] && [ -e "$(dirname "$f")/$target" ] || continue
	ln -sfn "$target" "$f" && links=$((links + 1))
done < <(find "$PORTAGE" -type f -size -200c ! -name '*.py' -print0)
if [ -L "$PORTAGE/bin/ebuild-ipc" ]; then
	pass gentoo/portage/checkout
else
	fail gentoo/portage/checkout "bin/ebuild-ipc is not a symlink to ebuild-pyhelper after restoring $links links"
	exit 0
fi

# Gentoo's app-arch/tar installs tar as gtar too, which Portage's unpack
# calls; Debian's does not.
mkdir -p "$TMP/bin"
ln -s "$(command -v tar)" "$TMP/bin/gtar"

# The minimal gentoo repository: the real eclasses, profiles and metadata.
R=$TMP/repos
mkdir -p "$R/gentoo/profiles" "$R/gentoo/metadata"
ln -s "$SHARED/gentoo/eclass" "$R/gentoo/eclass"
ln -s "$SHARED/gentoo/metadata/layout.conf" "$R/gentoo/metadata/layout.conf"
for f in "$SHARED"/gentoo/profiles/*; do
	ln -s "$f" "$R/gentoo/profiles/"
done
echo gentoo >"$R/gentoo/profiles/repo_name"
# The overlay, as a user gets it (the ebuild/ directory of the checkout).
cp -r "$TOP/ebuild" "$R/vfiokit"

# The configuration root: an amd64 profile on top of base (whose 2018
# Python targets are replaced), repos.conf, make.conf with every directory
# Portage writes to inside $TMP. FEATURES are left at Portage's defaults.
C=$TMP/config
mkdir -p "$C/etc/portage/repos.conf" "$C/profile" "$TMP/distfiles" "$TMP/tmp" "$TMP/cache"
printf '%s\n' "$R/gentoo/profiles/base" "$R/gentoo/profiles/arch/amd64" >"$C/profile/parent"
printf '%s\n' 8 >"$C/profile/eapi"
printf '%s\n' 'PYTHON_TARGETS="python3_12"' 'PYTHON_SINGLE_TARGET="python3_12"' >"$C/profile/make.defaults"
ln -s "$C/profile" "$C/etc/portage/make.profile"
cat >"$C/etc/portage/repos.conf/repos.conf" <<EOF
[DEFAULT]
main-repo = gentoo

[gentoo]
location = $R/gentoo

[vfiokit]
location = $R/vfiokit
EOF
cat >"$C/etc/portage/make.conf" <<EOF
DISTDIR="$TMP/distfiles"
PORTAGE_TMPDIR="$TMP/tmp"
PORTAGE_DEPCACHEDIR="$TMP/cache"
PKGDIR="$TMP/packages"
# No portage user here (and the test does not create one): userpriv drops
# to root instead.
PORTAGE_USERNAME="root"
PORTAGE_GRPNAME="root"
MAKEOPTS="-j2"
EOF

# The release tarball, made by `make dist` from a clone (the checkout's own
# build stays untouched), as a release download would give it.
if git clone -q "$TOP" "$TMP/clone" 2>"$TMP/clone.err" &&
	make -C "$TMP/clone" --no-print-directory -s dist >/dev/null 2>"$TMP/dist.err"; then
	cp "$TMP/clone/vfiokit-$version.tar.gz" "$TMP/distfiles/"
	pass gentoo/portage/make-dist
	# Reproducible: a second run a second later, on a fresh checkout of
	# the same commit, gives the same bytes; every path is under the prefix.
	sleep 1
	rm -rf "$TMP/clone2"
	git clone -q "$TOP" "$TMP/clone2" && make -C "$TMP/clone2" --no-print-directory -s dist >/dev/null 2>&1
	if cmp -s "$TMP/clone/vfiokit-$version.tar.gz" "$TMP/clone2/vfiokit-$version.tar.gz"; then
		pass gentoo/portage/make-dist-reproducible
	else
		fail gentoo/portage/make-dist-reproducible "two runs of make dist on one commit differ"
	fi
	outside=$(tar -tzf "$TMP/distfiles/vfiokit-$version.tar.gz" | grep -v "^vfiokit-$version/" | head -n 3)
	expect_eq gentoo/portage/make-dist-prefix "" "$outside"
	rm -rf "$TMP/clone2"
else
	fail gentoo/portage/make-dist "$(cat "$TMP/clone.err" "$TMP/dist.err" | tail -n 3)"
	exit 0
fi
git clone -q --bare "$TOP" "$TMP/vfiokit.git"

# portage_run PV COMMAND...: the ebuild command on vfiokit-PV.ebuild, its
# output appended to $TMP/PV.log; the image lands in
# $TMP/tmp/portage/app-emulation/vfiokit-PV/image.
portage_run() {
	local pv=$1
	shift
	# A clean environment, as root's shell gives emerge: nothing of this
	# test suite's (VFIOKIT, SANITIZE, ASAN_OPTIONS...) reaches the build.
	env -i HOME="$HOME" TERM=dumb LANG=C.UTF-8 PATH="$TMP/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
		PORTAGE_CONFIGROOT="$C" PORTAGE_TMPDIR="$TMP/tmp" \
		PYTHONPATH="$PORTAGE/lib" PYTHONDONTWRITEBYTECODE=1 \
		LD_PRELOAD="$STANDIN" VK_STANDIN_LOG="$TMP/standin-$pv.log" \
		EGIT_OVERRIDE_REPO_VFIOKIT_VFIOKIT="file://$TMP/vfiokit.git" \
		python3 "$PORTAGE/bin/ebuild" \
		"$R/vfiokit/app-emulation/vfiokit/vfiokit-$pv.ebuild" "$@" >>"$TMP/$pv.log" 2>&1
}

# expect_in_file NAME TEXT FILE WHY: PASS when FILE has the fixed TEXT.
expect_in_file() {
	if grep -qF -- "$2" "$3" 2>/dev/null; then
		pass "$1"
	else
		fail "$1" "$4"
	fi
}

# check_image PV: what Gentoo expects where, and the binary from the image.
check_image() {
	local pv=$1 name=gentoo/portage/$1 D=$TMP/tmp/portage/app-emulation/vfiokit-$1/image
	local f missing=
	for f in usr/sbin/vfiokit usr/share/vfiokit/profiles/profiles.conf \
		usr/share/vfiokit/profiles/vfio.config \
		usr/share/man/man8/vfiokit.8 usr/share/man/man5/vfiokit.conf.5 \
		etc/init.d/vfiokit-verify etc/conf.d/vfiokit-verify \
		"${unitdir#/}/vfiokit-verify.service"; do
		# Portage compresses man pages (ecompress): any suffix will do.
		compgen -G "$D/$f*" >/dev/null || missing+=" /$f"
	done
	if [ -z "$missing" ]; then
		pass "$name/image-layout"
	else
		fail "$name/image-layout" "not in the image:$missing (it has: $(cd "$D" 2>/dev/null && find . -type f | sort | tr '\n' ' '))"
	fi
	if grep -q 'use logger' "$D/etc/init.d/vfiokit-verify" 2>/dev/null &&
		grep -q 'VFIOKIT_VERIFY_OPTS' "$D/etc/conf.d/vfiokit-verify" 2>/dev/null; then
		pass "$name/openrc"
	else
		fail "$name/openrc" "the init script lacks 'use logger' or conf.d lacks VFIOKIT_VERIFY_OPTS"
	fi
	# The installed binary has /usr/share/vfiokit/profiles compiled in, and
	# that is all it may use: run from the image (which it does not know),
	# it names that path, and strace shows it looks for its profiles there
	# and nowhere else (not beside itself in the image).
	local bin=$D/usr/sbin/vfiokit help want=/usr/share/vfiokit/profiles
	help=$("$bin" kconfig --help 2>&1)
	if grep -qF "(default $want)" <<<"$help"; then
		pass "$name/profiles-path"
	else
		fail "$name/profiles-path" "kconfig --help does not name $want: $(grep -i default <<<"$help" | head -n 2)"
	fi
	if command -v strace >/dev/null; then
		local root=$TMP/root-$pv opened
		mkdir -p "$root/usr/src/linux"
		printf 'CONFIG_64BIT=y\n' >"$root/usr/src/linux/.config"
		strace -f -e trace=openat -o "$TMP/strace-$pv" "$bin" --root "$root" \
			kconfig check --profile vfio --config "$root/usr/src/linux/.config" >/dev/null 2>&1
		opened=$(grep -o '"[^"]*/profiles[^"]*"' "$TMP/strace-$pv" | tr -d '"' | sort -u)
		if [ -n "$opened" ] && ! grep -v "^$want/" <<<"$opened" | grep -q .; then
			pass "$name/profiles-opened"
		else
			fail "$name/profiles-opened" "opened: ${opened:-no profiles at all}"
		fi
		# Installed for real, as far as the binary can tell: in a private
		# mount namespace the image's usr/share is mounted on /usr/share
		# (nothing changes outside it), and the image's binary checks a
		# .config with the profiles it finds there by itself.
		if unshare --mount --map-root-user true 2>/dev/null; then
			unshare --mount --map-root-user sh -c \
				'mount --bind "$1/usr/share" /usr/share && shift && exec "$@"' sh "$D" \
				"$bin" --root "$root" kconfig check --profile vfio \
				--config "$root/usr/src/linux/.config" >"$TMP/check-$pv.out" 2>&1
			rc=$?
			if [ $rc -eq 3 ] && grep -q "CONFIG_VFIO=m, is not set  ($want/vfio.config:" "$TMP/check-$pv.out"; then
				pass "$name/profiles-from-image"
			else
				fail "$name/profiles-from-image" "exit $rc: $(head -n 4 "$TMP/check-$pv.out")"
			fi
		else
			skip "$name/profiles-from-image" "no mount namespace here (unshare --mount --map-root-user failed)"
		fi
	else
		fail "$name/profiles-opened" "strace is not installed (tests/install-deps.sh test installs it)"
	fi
}

# Where systemd_dounit puts a unit: systemd.eclass asks systemd.pc (on
# Gentoo, /usr/lib/systemd/system with merged /usr), else /lib/systemd/system.
unitdir=/lib/systemd/system
pkg-config --exists systemd 2>/dev/null && unitdir=$(pkg-config --variable=systemdsystemunitdir systemd)

versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=("$version" "$live")
# `ebuild ... manifest clean test install` for each version: the manifest
# steps one after the other (they write the one Manifest of the package),
# the rest of both at once (the tests run one at a time inside each; two
# builds use the machine's two cores).
start=$(date +%s)
for pv in "${versions[@]}"; do
	portage_run "$pv" manifest
	echo $? >"$TMP/$pv.rc"
done
for pv in "${versions[@]}"; do
	if [ "$(cat "$TMP/$pv.rc")" = 0 ]; then
		portage_run "$pv" clean test install
		echo $? >"$TMP/$pv.rc"
	fi &
done
wait
echo "    ebuild ${versions[*]}: $(($(date +%s) - start)) s"

for pv in "${versions[@]}"; do
	name=gentoo/portage/$pv
	rc=$(cat "$TMP/$pv.rc")
	if [ "$rc" = 0 ]; then
		pass "$name/ebuild"
	else
		fail "$name/ebuild" "exit $rc"
		tail -n 30 "$TMP/$pv.log" | sed 's/^/    /'
		continue
	fi
	cat "$TMP/tmp/portage/app-emulation/vfiokit-$pv/temp/build.log" >>"$TMP/$pv.log" 2>/dev/null
	if grep -q 'QA Notice' "$TMP/$pv.log"; then
		fail "$name/no-qa-notice" "$(grep -A3 'QA Notice' "$TMP/$pv.log" | head -n 12)"
	else
		pass "$name/no-qa-notice"
	fi
	# The test phase ran vfiokit's tests and they passed, under the preload.
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$TMP/$pv.log" | tail -n 1)
	if [[ $summary =~ ^([0-9]+)\ passed,\ 0\ failed ]] && [ "${BASH_REMATCH[1]}" -gt 100 ]; then
		pass "$name/src_test"
	else
		fail "$name/src_test" "summary: ${summary:-none}"
	fi
	expect_in_file "$name/tests-under-preload" '/build-test/test-' "$TMP/standin-$pv.log" \
		"the stand-in was not loaded into the unit tests"
	if [ "$pv" = "$live" ]; then
		expect_in_file "$name/cloned-checkout" "file://$TMP/vfiokit.git" "$TMP/$pv.log" \
			"git-r3 did not clone file://$TMP/vfiokit.git"
	else
		expect_in_file "$name/manifest" "DIST vfiokit-$version.tar.gz" \
			"$R/vfiokit/app-emulation/vfiokit/Manifest" "no DIST line for the tarball in the Manifest"
	fi
	check_image "$pv"
done

# The release ebuild is the live one under another name.
if cmp -s "$TOP/ebuild/app-emulation/vfiokit/vfiokit-$live.ebuild" \
	"$TOP/ebuild/app-emulation/vfiokit/vfiokit-$version.ebuild"; then
	pass gentoo/portage/release-is-live-copy
else
	fail gentoo/portage/release-is-live-copy "vfiokit-$version.ebuild differs from vfiokit-$live.ebuild"
fi
if grep -q '^ *QA_' "$TOP"/ebuild/app-emulation/vfiokit/*.ebuild; then
	fail gentoo/portage/no-qa-variable "an ebuild sets a QA_* variable"
else
	pass gentoo/portage/no-qa-variable
fi
