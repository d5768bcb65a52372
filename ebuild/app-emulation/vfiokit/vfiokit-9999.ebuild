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
	dev-libs/libconfig:=
	sys-apps/kmod:=
	sys-apps/pciutils
	sys-apps/util-linux
"
RDEPEND="${DEPEND}
	sys-apps/hwdata
"
BDEPEND="
	virtual/pkgconfig
	test? ( dev-util/cmocka )
"

src_compile() {
	emake CC="$(tc-getCC)" PKG_CONFIG="$(tc-getPKG_CONFIG)"
}

src_test() {
	# Tiers 1 and 2 (unit tests and captured sysfs trees) need nothing but
	# the build. Tier 4 boots a Debian kernel under QEMU and downloads it
	# with apt-get, which a Portage build cannot do: it is left out here.
	emake check INSTALL_DEPS=: TIERS="unit cases shell"
}

src_install() {
	emake DESTDIR="${D}" PREFIX="${EPREFIX}/usr" install
	einstalldocs
}
