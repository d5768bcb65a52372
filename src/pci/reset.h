/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Devices known to fail reset: after a guest has used them, the kernel's
 * reset leaves them hung, and the next guest start fails or the host
 * locks up. AMD GPUs of these families need the vendor-reset module and
 * its "device_specific" reset method.
 */
#pragma once

/* The family ("AMD Polaris 10") when vendor:device is known to fail reset
 * without vendor-reset, or NULL. */
const char *vk_pci_reset_quirk(unsigned int vendor, unsigned int device);
