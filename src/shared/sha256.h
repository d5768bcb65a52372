/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SHA-256 (FIPS 180-4) of a buffer, as the hex string sha256sum prints:
 * the journal of vfiokit apply records each file's content with it.
 */
#pragma once

#include <stddef.h>

#define VK_SHA256_HEX_LEN 65 /* 64 hex digits and the NUL */

void vk_sha256_hex(const void *data, size_t len, char out[VK_SHA256_HEX_LEN]);
