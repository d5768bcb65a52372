// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the reader of vfiokit.conf (src/flow/config.c):
 * the file is written to a temporary directory and read as vfiokit reads
 * it; a refusal names a line inside the file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "flow/config.h"
#include "fuzz.h"

static int dirfd_ = -1;
static char dir[] = "/tmp/vfiokit-fuzz-conf.XXXXXX";

static void cleanup(void)
{
	unlinkat(dirfd_, "vfiokit.conf", 0);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vk_conf c = {};
	char err[1024] = "";
	int fd, r;

	if (size > FUZZ_MAX)
		return 0;
	if (dirfd_ < 0 && (!mkdtemp(dir) || (dirfd_ = open(dir, O_PATH | O_DIRECTORY)) < 0))
		abort();
	if (size == 0 || dirfd_ < 0)
		atexit(cleanup);
	fd = openat(dirfd_, "vfiokit.conf", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd) < 0)
		abort();
	r = vk_conf_load(dirfd_, "/vfiokit.conf", "vfiokit.conf", &c, err, sizeof(err));
	if (r == -EINVAL)
		fuzz_check_error(err, "vfiokit.conf", fuzz_lines((const char *)data, size));
	else if (r < 0)
		abort();
	vk_conf_clear(&c);
	return 0;
}
