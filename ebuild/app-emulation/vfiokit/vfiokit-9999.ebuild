# Copyright 2026 vfiokit developers
# Distributed under the terms of the GNU General Public License v2

EAPI=8

inherit git-r3 toolchain-funcs

DESCRIPTION="Prepare a host for VFIO PCI passthrough and check that it works"
HOMEPAGE="https://github.com/vfiokit/vfiokit"
EGIT_REPO_URI="https://github.com/vfiokit/vfiokit.git"

LICENSE="GPL-2+"
SLOT="0"
IUSE="test"
RESTRICT="!test? ( test )"

DEPEND="
	app-arch/libarchive:=
	dev-libs/libconfig:=
	dev-libs/libxml2:=
	sys-apps/kmod:=
	sys-apps/pciutils
	sys-apps/util-linux
	sys-libs/zlib:=
"
RDEPEND="${DEPEND}
	sys-apps/hwdata
"
BDEPEND="
	virtual/pkgconfig
	test? ( dev-util/cmocka )
"

src_compile() {
	emake CC="$(tc-getCC)" PKG_CONFIG="$(tc-getPKG_CONFIG)" PREFIX="${EPREFIX}/usr"
}

src_test() {
	# The unit tests, the captured sysfs trees and the command-line tests
	# need nothing but the build. The real-tree tier (Debian's kernel
	# sources and modules) and the QEMU boots download Debian packages with
	# apt-get, which a Portage build cannot do: they are left out here.
	emake check INSTALL_DEPS=: TIERS="unit cases shell"
}

src_install() {
	emake DESTDIR="${D}" PREFIX="${EPREFIX}/usr" install
	einstalldocs
}
