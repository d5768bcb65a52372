/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libarchive, loaded when an initramfs is read and not before: linked
 * directly it pulls in a score of libraries (ICU, libxml2, libcrypto, ...)
 * that every vfiokit command would map and pay for at start-up. The
 * initramfs reader calls these pointers after vk_archive_dlopen().
 */
#pragma once

#include <archive.h>
#include <archive_entry.h>

#define VK_ARCHIVE_SYMS(X)                   \
	X(archive_entry_filetype)            \
	X(archive_entry_pathname)            \
	X(archive_entry_size)                \
	X(archive_error_string)              \
	X(archive_filter_count)              \
	X(archive_filter_name)               \
	X(archive_read_data)                 \
	X(archive_read_free)                 \
	X(archive_read_new)                  \
	X(archive_read_next_header)          \
	X(archive_read_open_memory)          \
	X(archive_read_support_filter_bzip2) \
	X(archive_read_support_filter_gzip)  \
	X(archive_read_support_filter_lz4)   \
	X(archive_read_support_filter_lzma)  \
	X(archive_read_support_filter_xz)    \
	X(archive_read_support_filter_zstd)  \
	X(archive_read_support_format_cpio)

#define VK_ARCHIVE_DECLARE(name) extern __typeof__(name) *sym_##name;
VK_ARCHIVE_SYMS(VK_ARCHIVE_DECLARE)

/* Load libarchive once. 0, or -EOPNOTSUPP with dlerror()'s text in err. */
int vk_archive_dlopen(char *err, size_t errlen);
