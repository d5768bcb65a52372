// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "spawn.h"

extern char **environ;

/* environ followed by extra, in one new vector (the strings are shared). */
static char **make_env(const char *const extra[])
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	while (extra && extra[k])
		k++;
	env = calloc(n + k + 1, sizeof(char *));
	if (!env)
		return NULL;
	memcpy(env, environ, n * sizeof(char *));
	if (k)
		memcpy(env + n, extra, k * sizeof(char *));
	return env;
}

static int read_all(int fd, char **output)
{
	size_t len = 0, alloc = 4096;
	char *buf = malloc(alloc);
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (alloc - len < 1024) {
			char *b = realloc(buf, alloc *= 2);

			if (!b) {
				free(buf);
				return -ENOMEM;
			}
			buf = b;
		}
		r = read(fd, buf + len, alloc - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	*output = buf;
	return 0;
}

int vk_spawn(const char *const argv[], const char *const env_extra[], int *status, char **output)
{
	_cleanup_free_ char **env = make_env(env_extra);
	posix_spawn_file_actions_t fa;
	int pipefd[2] = { -1, -1 }, r, wstatus;
	pid_t pid;

	if (!env)
		return -ENOMEM;
	posix_spawn_file_actions_init(&fa);
	if (output) {
		if (pipe2(pipefd, O_CLOEXEC) < 0) {
			posix_spawn_file_actions_destroy(&fa);
			return -errno;
		}
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	}
	r = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, env);
	posix_spawn_file_actions_destroy(&fa);
	if (output)
		close(pipefd[1]);
	if (r != 0) {
		if (output)
			close(pipefd[0]);
		return -r;
	}
	if (output) {
		r = read_all(pipefd[0], output);
		close(pipefd[0]);
	}
	while (waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR)
			return -errno;
	*status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	return r;
}
