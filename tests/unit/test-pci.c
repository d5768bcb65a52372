// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of src/pci: addresses and ids, device states, IOMMU hints. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "pci/device.h"
#include "pci/groups.h"
#include "pci/iommu.h"

static void addresses(void **state)
{
	struct vk_pci_addr a;

	assert_int_equal(vk_pci_addr_parse("0000:0f:00.1", &a), 0);
	assert_int_equal(a.domain, 0);
	assert_int_equal(a.bus, 0x0f);
	assert_int_equal(a.dev, 0);
	assert_int_equal(a.func, 1);
	assert_int_equal(vk_pci_addr_parse("11:00.3", &a), 0);
	assert_int_equal(a.bus, 0x11);
	assert_int_equal(a.func, 3);
	assert_int_equal(vk_pci_addr_parse("10000:00:00.0", &a), -EINVAL);
	assert_int_equal(vk_pci_addr_parse("00:20.0", &a), -EINVAL); /* slot > 31 */
	assert_int_equal(vk_pci_addr_parse("00:00.8", &a), -EINVAL);
	assert_int_equal(vk_pci_addr_parse("00:00.0x", &a), -EINVAL);
	assert_int_equal(vk_pci_addr_parse("10de:1c03", &a), -EINVAL);
	assert_int_equal(vk_pci_addr_parse("", &a), -EINVAL);
}

static void ids(void **state)
{
	unsigned int v, d;

	assert_int_equal(vk_pci_id_parse("10de:1c03", &v, &d), 0);
	assert_int_equal(v, 0x10de);
	assert_int_equal(d, 0x1c03);
	assert_int_equal(vk_pci_id_parse("10DE:1C03", &v, &d), 0);
	assert_int_equal(vk_pci_id_parse("10de:1c0", &v, &d), -EINVAL);
	assert_int_equal(vk_pci_id_parse("10de:1c033", &v, &d), -EINVAL);
	assert_int_equal(vk_pci_id_parse("10de-1c03", &v, &d), -EINVAL);
	assert_int_equal(vk_pci_id_parse("0f:00.0", &v, &d), -EINVAL);
	assert_int_equal(vk_pci_id_parse(" 10de:1c03", &v, &d), -EINVAL);
}

static void states(void **state)
{
	struct vk_pci_dev d = { .class_id = 0x0200 };

	assert_int_equal(vk_dev_state(&d), VK_DEV_FREE);
	d.driver = "e1000e";
	assert_int_equal(vk_dev_state(&d), VK_DEV_HOST);
	d.driver = "vfio-pci";
	assert_int_equal(vk_dev_state(&d), VK_DEV_CLAIMED);
	d.driver = "pci-stub";
	assert_int_equal(vk_dev_state(&d), VK_DEV_CLAIMED);
	d.driver = "mlx5_vfio_pci";
	assert_int_equal(vk_dev_state(&d), VK_DEV_CLAIMED);
	d.driver = "vfio_pci"; /* not a name the kernel uses for the driver */
	assert_int_equal(vk_dev_state(&d), VK_DEV_HOST);
	d.class_id = 0x0604;
	d.driver = "pcieport";
	assert_int_equal(vk_dev_state(&d), VK_DEV_BRIDGE);
	d.error = "sys/bus/pci/devices/0000:00:01.0/vendor: gone";
	assert_int_equal(vk_dev_state(&d), VK_DEV_UNKNOWN);
	assert_string_equal(vk_dev_state_name(VK_DEV_HOST), "host");
}

static void describe(void **state)
{
	struct vk_pci_dev d = {
		.vendor_id = 0x10ec,
		.device_id = 0x8139,
		.class_id = 0x0200,
		.revision = 0x20,
		.vendor = "Realtek Semiconductor Co., Ltd.",
		.device = "RTL-8100/8101L/8139 PCI Fast Ethernet Adapter",
		.class_name = "Ethernet controller",
	};
	char buf[256];

	vk_pci_dev_describe(&d, buf, sizeof(buf));
	assert_string_equal(buf,
			    "Ethernet controller [0200]: Realtek Semiconductor Co., Ltd. "
			    "RTL-8100/8101L/8139 PCI Fast Ethernet Adapter [10ec:8139] (rev 20)");
	/* Unknown to pci.ids: lspci -nn's wording. */
	d.device = NULL;
	d.revision = 0;
	vk_pci_dev_describe(&d, buf, sizeof(buf));
	assert_string_equal(buf, "Ethernet controller [0200]: Realtek Semiconductor Co., Ltd. "
				 "Device [10ec:8139]");
	d.vendor = NULL;
	d.class_name = NULL;
	vk_pci_dev_describe(&d, buf, sizeof(buf));
	assert_string_equal(buf, "Class [0200]: Device [10ec:8139]");
}

static void iommu_hints(void **state)
{
	struct vk_iommu_status st = { .have_pci = true };

	assert_non_null(strstr(vk_iommu_explain(&st), "no DMAR (Intel VT-d) or IVRS"));
	st.acpi_table = "DMAR";
	assert_non_null(strstr(vk_iommu_explain(&st), "add intel_iommu=on"));
	st.cmdline_intel_on = true;
	assert_non_null(strstr(vk_iommu_explain(&st), "without CONFIG_INTEL_IOMMU"));
	st.acpi_table = "IVRS";
	assert_non_null(strstr(vk_iommu_explain(&st), "without CONFIG_AMD_IOMMU"));
	st.cmdline_off = true;
	assert_non_null(strstr(vk_iommu_explain(&st), "turns the IOMMU off"));
	st.have_pci = false;
	assert_non_null(strstr(vk_iommu_explain(&st), "is sysfs mounted"));
	st.n_groups = 4;
	assert_null(vk_iommu_explain(&st));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addresses),   cmocka_unit_test(ids),
		cmocka_unit_test(states),      cmocka_unit_test(describe),
		cmocka_unit_test(iommu_hints),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
