# Copyright 2026 vfiokit developers
# Distributed under the terms of the GNU General Public License v2

EAPI=8

# One ebuild for the live and the release versions: copy it to
# vfiokit-X.Y.ebuild for a release (tests/gentoo/portage.sh checks that
# the copies stay the same).
inherit bash-completion-r1 systemd toolchain-funcs

if [[ ${PV} == 9999 ]]; then
	inherit git-r3
	EGIT_REPO_URI="https://github.com/vfiokit/vfiokit.git"
else
	# The tarball `make dist` makes, attached to the release.
	SRC_URI="https://github.com/vfiokit/vfiokit/releases/download/v${PV}/${P}.tar.gz"
	KEYWORDS="~amd64"
fi

DESCRIPTION="Prepare a host for VFIO PCI passthrough and check that it works"
HOMEPAGE="https://github.com/vfiokit/vfiokit"

LICENSE="GPL-2+"
SLOT="0"
IUSE="libvirt test"
RESTRICT="!test? ( test )"

DEPEND="
	app-arch/libarchive:=
	dev-libs/libconfig:=
	dev-libs/libxml2:=
	sys-apps/kmod:=
	sys-apps/pciutils
	sys-apps/util-linux
	sys-libs/zlib:=
	libvirt? ( app-emulation/libvirt:= )
	test? ( dev-util/cmocka )
"
RDEPEND="${DEPEND}
	sys-apps/hwdata
"
BDEPEND="virtual/pkgconfig"

# What every make call is given: the paths (the profiles path is compiled
# in from PREFIX, so the same one at build, test and install), the
# toolchain, libvirt's C library as USE says (vfiokit libvirt apply), and
# no installing of missing packages.
vfiokit_emake() {
	emake \
		CC="$(tc-getCC)" \
		LIBVIRT=$(usex libvirt 1 0) \
		PKG_CONFIG="$(tc-getPKG_CONFIG)" \
		PREFIX="${EPREFIX}/usr" \
		INSTALL_DEPS=: \
		"$@"
}

src_compile() {
	vfiokit_emake
}

src_test() {
	# The unit tests, the captured sysfs trees and the command-line tests
	# need nothing but the build. The real-tree, Gentoo and QEMU tiers
	# download Debian packages or need a Gentoo reference tree; they are
	# left out here. The sandbox preloads its library into every process,
	# which an AddressSanitizer build refuses: SANITIZE=0 builds the tests
	# without sanitizers. Style checks say nothing about the program. The
	# CPU topology captures kept beside a checkout (shared/) are not in a
	# package build: the tests that need them say so and skip.
	VFIOKIT_SKIP_STYLE=1 VFIOKIT_NO_SHARED=1 \
		vfiokit_emake SANITIZE=0 TIERS="unit cases shell" check
}

src_install() {
	vfiokit_emake DESTDIR="${D}" BASHCOMPDIR="$(get_bashcompdir)" \
		INSTALL_INIT=0 install
	newinitd init/vfiokit-verify.openrc vfiokit-verify
	newconfd init/vfiokit-verify.confd vfiokit-verify
	systemd_dounit init/vfiokit-verify.service
	einstalldocs
}
