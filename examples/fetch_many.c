/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fetch_many.c - the threading/asyncio "download many URLs" example, in C.
 *
 * A small HTTP-like server on 127.0.0.1 (started here, on a thread of its
 * own) answers each request after a delay, as a slow web server would.  The
 * client fetches N pages one after the other, then all at once with
 * skua_spawn_blocking (the I/O waits on skua's blocking threads, not on its
 * compute workers), gathers the futures, and prints both times.
 *
 *   usage: fetch_many [pages=32] [delay_ms=50]
 *
 * Python's version:
 *     with ThreadPoolExecutor() as ex:
 *         pages = list(ex.map(fetch, urls))
 */
#define _GNU_SOURCE
#include <skua.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int delay_ms = 50;
static unsigned short port;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* One connection: read "GET /page/<k>\n", wait, answer "page <k> <k*k>\n". */
static void *serve_one(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char req[64] = { 0 };
	ssize_t n = read(fd, req, sizeof req - 1);
	unsigned k = 0;
	if (n > 0 && sscanf(req, "GET /page/%u", &k) == 1) {
		usleep((useconds_t)delay_ms * 1000);
		char resp[64];
		int len = snprintf(resp, sizeof resp, "page %u %u\n", k, k * k);
		if (write(fd, resp, (size_t)len) != len)
			perror("write");
	}
	close(fd);
	return NULL;
}

static void *server_main(void *arg)
{
	int ls = (int)(intptr_t)arg;
	for (;;) {
		int fd = accept(ls, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			return NULL; /* listening socket closed: done */
		}
		pthread_t t;
		if (pthread_create(&t, NULL, serve_one, (void *)(intptr_t)fd) != 0)
			close(fd);
		else
			pthread_detach(t);
	}
}

static int start_server(pthread_t *th)
{
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(ls, 128) != 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &len) != 0)
		return -1;
	port = ntohs(a.sin_port);
	if (pthread_create(th, NULL, server_main, (void *)(intptr_t)ls) != 0)
		return -1;
	return ls;
}

/* The blocking job: connect, ask for page k, read the answer. */
static void *fetch(void *arg)
{
	unsigned k = (unsigned)(uintptr_t)arg;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	char buf[64] = { 0 };
	uintptr_t result = 0;
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
		char req[32];
		int n = snprintf(req, sizeof req, "GET /page/%u\n", k);
		unsigned got_k, value;
		if (write(fd, req, (size_t)n) == n &&
		    read(fd, buf, sizeof buf - 1) > 0 &&
		    sscanf(buf, "page %u %u", &got_k, &value) == 2 && got_k == k)
			result = value + 1; /* 0 means failure */
	}
	if (fd >= 0)
		close(fd);
	return (void *)result;
}

int main(int argc, char **argv)
{
	int pages = argc > 1 ? atoi(argv[1]) : 32;
	if (argc > 2)
		delay_ms = atoi(argv[2]);
	if (pages < 1 || pages > 1000 || delay_ms < 0 || delay_ms > 10000) {
		fprintf(stderr, "usage: fetch_many [pages 1..1000] [delay_ms]\n");
		return 2;
	}
	pthread_t server;
	int ls = start_server(&server);
	if (ls < 0) {
		perror("server");
		return 1;
	}

	/* Sequential: one page after the other. */
	double t0 = now();
	int bad = 0;
	for (int k = 0; k < pages; k++)
		bad += (uintptr_t)fetch((void *)(uintptr_t)k) != (uintptr_t)k * k + 1;
	double seq = now() - t0;

	/* Concurrent: every fetch on skua's blocking threads, then gather. */
	skua_pool *pool;
	int rc = skua_pool_create(NULL, &pool);
	if (rc != 0) {
		fprintf(stderr, "skua_pool_create: %s\n", skua_strerror(rc));
		return 1;
	}
	skua_future **fs = calloc((size_t)pages, sizeof *fs);
	t0 = now();
	for (int k = 0; k < pages; k++) {
		rc = skua_spawn_blocking(pool, fetch, (void *)(uintptr_t)k, &fs[k]);
		if (rc != 0) {
			fprintf(stderr, "skua_spawn_blocking: %s\n", skua_strerror(rc));
			return 1;
		}
	}
	skua_future_wait_all(fs, (size_t)pages);
	double con = now() - t0;
	for (int k = 0; k < pages; k++) {
		void *r;
		skua_future_get(fs[k], &r);
		bad += (uintptr_t)r != (uintptr_t)k * k + 1;
		skua_future_release(fs[k]);
	}
	free(fs);
	skua_pool_destroy(pool);
	shutdown(ls, SHUT_RDWR);
	close(ls);
	pthread_join(server, NULL);

	printf("%d pages, %d ms each: sequential %.3f s, concurrent %.3f s, "
	    "speedup %.1fx, %d wrong\n", pages, delay_ms, seq, con, seq / con,
	    bad);
	if (bad != 0 || (delay_ms >= 20 && pages >= 8 && seq / con < 4)) {
		printf("FAILED\n");
		return 1;
	}
	printf("OK\n");
	return 0;
}
