/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A worker that overflows its stack dies by SIGSEGV as before, but first
 * says so on stderr, naming the worker and the variable to raise (issue
 * 10, "also noticed").  Another fault on a worker gets no such message.
 * Each case runs in a child process; the parent reads its stderr and its
 * exit status.  Where the runtime owns SIGSEGV (ASan), skua leaves it
 * alone and the cases only check that.
 */
#include "test.h"

#include <signal.h>
#include <sys/wait.h>

static volatile char sink;
static volatile uintptr_t bad_address = 16;

static int deep(int n)
{
	volatile char buf[1024];
	buf[0] = (char)n;
	sink = buf[0];
	return n == 0 ? 0 : deep(n - 1) + buf[0];
}

static void overflow_entry(skua_worker *w, void *arg)
{
	(void)w;
	*(int *)arg = deep(1000000);
}

static void null_entry(skua_worker *w, void *arg)
{
	(void)w;
	(void)arg;
	*(volatile int *)bad_address = 1; /* not near the stack */
}

/* Run entry on a 1-worker pool with a 128 KiB stack in a child; return
 * its stderr in buf and its wait status. */
static int run_child(void (*entry)(skua_worker *, void *), char *buf,
    size_t cap)
{
	int fds[2];
	ASSERT_EQ(pipe(fds), 0);
	fflush(NULL);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		alarm(30);
		skua_config cfg;
		skua_pool *p;
		skua_config_init(&cfg);
		cfg.workers = 1;
		cfg.stack_size = 128 * 1024;
		if (skua_pool_create(&cfg, &p) != 0)
			_exit(3);
		int r = 0;
		skua_pool_run(p, entry, &r);
		_exit(4); /* not reached */
	}
	close(fds[1]);
	size_t n = 0;
	ssize_t k;
	while (n + 1 < cap && (k = read(fds[0], buf + n, cap - 1 - n)) > 0)
		n += (size_t)k;
	buf[n] = '\0';
	close(fds[0]);
	int st;
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	return st;
}

static bool segv_is_default(void)
{
	struct sigaction sa;
	ASSERT_EQ(sigaction(SIGSEGV, NULL, &sa), 0);
	return !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_DFL;
}

TEST_CASE(overflow_is_named)
{
	char err[1024];
	bool ours = segv_is_default();
	int st = run_child(overflow_entry, err, sizeof err);
	printf("child stderr: %s", err);
	if (!ours) {
		printf("SIGSEGV belongs to the runtime here: no message\n");
		ASSERT(strstr(err, "skua: worker") == NULL);
		return;
	}
	ASSERT(WIFSIGNALED(st));
	ASSERT_EQ(WTERMSIG(st), SIGSEGV);
	ASSERT(strstr(err, "skua: worker 0 overflowed its stack of 128 KiB")
	    != NULL);
	ASSERT(strstr(err, "SKUA_STACK_SIZE") != NULL);
}

TEST_CASE(other_fault_is_not)
{
	char err[1024];
	bool ours = segv_is_default();
	int st = run_child(null_entry, err, sizeof err);
	ASSERT(strstr(err, "overflowed its stack") == NULL);
	if (ours) {
		ASSERT(WIFSIGNALED(st));
		ASSERT_EQ(WTERMSIG(st), SIGSEGV);
	}
}

/* A SIGSEGV that was sent (raise, kill), not a fault: it must kill as
 * the default action does, also after the last pool is gone (the
 * handler stays installed); it returned and the process went on before
 * (an independent review). */
TEST_CASE(sent_sigsegv_still_kills)
{
	bool ours = segv_is_default();
	fflush(NULL);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		alarm(30);
		skua_pool *p = test_pool(1);
		if (skua_pool_destroy(p) != 0)
			_exit(3);
		raise(SIGSEGV);
		_exit(5); /* still alive */
	}
	int st;
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	if (!ours) {
		printf("SIGSEGV belongs to the runtime here: status %#x\n", st);
		return;
	}
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSEGV)
		FAIL("raise(SIGSEGV) after a pool: status %#x (exit 5: the "
		    "process went on)", st);
}

static const struct test_case cases[] = {
	TEST_ENTRY(overflow_is_named),
	TEST_ENTRY(other_fault_is_not),
	TEST_ENTRY(sent_sigsegv_still_kills),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(60);
	return test_run_cases(argc, argv, cases);
}
