/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/child.c - start the user's program with posix_spawnp
 * (which reports a failed exec as its return value), wait for it, time it.
 */
#define _GNU_SOURCE
#include "child.h"
#include "kernels.h" /* skb_now */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static bool named(const char *entry, const char *name)
{
	size_t n = strcspn(name, "=");
	return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

/* environ without o->unset and o->set's names, then o->set. */
static char **child_env(const skb_child_opts *o)
{
	size_t n = 0, k = 0;
	while (environ[n] != NULL)
		n++;
	for (size_t i = 0; o->set != NULL && o->set[i] != NULL; i++)
		k++;
	char **env = calloc(n + k + 1, sizeof *env);
	if (env == NULL)
		return NULL;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		bool drop = false;
		for (size_t j = 0; o->unset != NULL && o->unset[j] != NULL; j++)
			drop |= named(environ[i], o->unset[j]);
		for (size_t j = 0; j < k; j++)
			drop |= named(environ[i], o->set[j]);
		if (!drop)
			env[m++] = environ[i];
	}
	for (size_t j = 0; j < k; j++)
		env[m++] = (char *)o->set[j];
	return env;
}

/* A whole stdout line: keep its number when it is a skua-metric line. */
static void metric_line(const char *line, skb_child *out)
{
	char *end;
	if (strncmp(line, "skua-metric:", 12) != 0)
		return;
	double v = strtod(line + 12, &end);
	if (end != line + 12) {
		out->metric = v;
		out->has_metric = true;
	}
}

/* Read the child's stdout to the end; keep the last skua-metric line,
 * the last line counting without its final newline too. */
static void read_metric(int fd, skb_child *out)
{
	char buf[4096], line[256];
	size_t ln = 0;
	ssize_t r;
	while ((r = read(fd, buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR)) {
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] != '\n') {
				if (ln + 1 < sizeof line)
					line[ln++] = buf[i];
				continue;
			}
			line[ln] = '\0';
			ln = 0;
			metric_line(line, out);
		}
	}
	if (ln > 0) {
		line[ln] = '\0';
		metric_line(line, out);
	}
}

/* o->shield: SIGINT and SIGTERM ignored here while the child runs, as
 * system() does, so that a Ctrl-C ends the child and lets the caller
 * clean up and report; old[] keeps the dispositions to restore. */
static const int shielded[2] = { SIGINT, SIGTERM };

static void shield_on(struct sigaction old[2])
{
	struct sigaction ign;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	for (int k = 0; k < 2; k++)
		sigaction(shielded[k], &ign, &old[k]);
}

static void shield_off(const struct sigaction old[2])
{
	for (int k = 0; k < 2; k++)
		sigaction(shielded[k], &old[k], NULL);
}

/* Start argv; with o->shield on, the child gets the default action for
 * each shielded signal that was not ignored before (old). */
static int spawn(char *const *argv, const skb_child_opts *o,
    const struct sigaction old[2], int *pipe_rd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int fds[2] = { -1, -1 }, rc;
	char **env = child_env(o);
	if (env == NULL)
		return ENOMEM;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	if (o->shield) {
		sigset_t def;
		sigemptyset(&def);
		for (int k = 0; k < 2; k++)
			if (old[k].sa_handler != SIG_IGN)
				sigaddset(&def, shielded[k]);
		posix_spawnattr_setsigdefault(&at, &def);
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
	}
	if (o->capture) {
		if (pipe2(fds, O_CLOEXEC) != 0) {
			rc = errno;
			goto out;
		}
		posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	}
	if (o->stderr_path != NULL)
		posix_spawn_file_actions_addopen(&fa, STDERR_FILENO,
		    o->stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	rc = posix_spawnp(pid, argv[0], &fa, &at, argv, env);
out:
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(env);
	if (fds[1] >= 0)
		close(fds[1]);
	if (rc != 0 && fds[0] >= 0) {
		close(fds[0]);
		fds[0] = -1;
	}
	*pipe_rd = fds[0];
	return rc;
}

int skb_child_run(char *const *argv, const skb_child_opts *o, skb_child *out)
{
	struct sigaction old[2], chld, dfl;
	pid_t pid;
	int rd, st, rc;

	memset(out, 0, sizeof *out);
	/* SIGCHLD ignored (inherited so from whoever started skua-bench):
	 * the kernel reaps the child itself and waitpid fails with ECHILD,
	 * which lost its end.  The default meanwhile, as for system(). */
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &chld);
	if (o->shield)
		shield_on(old);
	double t0 = skb_now();
	if ((rc = spawn(argv, o, old, &rd, &pid)) != 0) {
		out->spawn_errno = rc;
		rc = -1;
		goto out;
	}
	out->started = true;
	if (rd >= 0) {
		read_metric(rd, out);
		close(rd);
	}
	while ((rc = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (rc < 0)
		goto out;
	rc = 0;
	out->wall_s = skb_now() - t0;
	out->exited = WIFEXITED(st);
	out->exit_status = out->exited ? WEXITSTATUS(st) : 0;
	out->signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
out:
	if (o->shield)
		shield_off(old);
	sigaction(SIGCHLD, &chld, NULL);
	return rc;
}

const char *skb_child_describe(const skb_child *c, char *buf, size_t len)
{
	if (!c->started)
		snprintf(buf, len, "could not be started: %s",
		    strerror(c->spawn_errno));
	else if (c->exited)
		snprintf(buf, len, "exited with status %d", c->exit_status);
	else
		snprintf(buf, len, "was killed by signal %d (%s)", c->signal,
		    strsignal(c->signal));
	return buf;
}

int skb_child_exit_code(const skb_child *c)
{
	if (!c->started)
		return c->spawn_errno == ENOENT ? 127 : 126;
	if (c->exited)
		return c->exit_status;
	return 128 + c->signal;
}
