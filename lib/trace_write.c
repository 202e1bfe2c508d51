/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/trace_write.c - the pool's trace, above the worker layer: its
 * number, the events of threads that are not its workers (spawns, futures
 * run by waiters, blocking jobs), and the Chrome trace-event JSON file.
 *
 * The file: SKUA_TRACE (or skua_config.trace) names it; "%p" in the name
 * becomes the process id and "%n" the pool's number (1, 2, ... in the
 * order this process created its traced pools).  Without "%n", the first
 * pool writes the name itself and pool k > 1 inserts ".k" before the
 * extension (trace.json, trace.2.json, ...), so that two pools of one
 * process never overwrite each other.
 *
 * In the file: one process (the real pid), one thread per worker (tid =
 * the worker's index) and one per other thread that spawned a future or
 * ran a blocking job (tid = its kernel thread id, plus 2^30 where that
 * would be a worker's index: in a PID namespace, a container's, the main
 * thread is 1; skua__trace_ext_tid).  Task and chunk slices
 * ("X"; a chunk is named by its loop's site), steals (instants), parked
 * spans, and futures: a "spawn" slice on the spawning thread and a
 * "future" slice where it ran, joined by a flow arrow ("s" / "f" with the
 * same id, the future's address: unique while it lives).
 */
#include "json_str.h"
#include "pool_struct.h"
#include "worker.h"
#include "trace.h"
#include "site.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static _Atomic unsigned traced_pools;

int skua__trace_pool_init(skua_pool *p)
{
	if ((p->trace_ext = skua__trace_ext_new()) == NULL)
		return -ENOMEM;
	return 0;
}

void skua__trace_pool_started(skua_pool *p)
{
	if (p->trace_path != NULL)
		p->trace_number = atomic_fetch_add_explicit(&traced_pools, 1,
		    memory_order_relaxed) + 1;
}

void skua__trace_pool_free(skua_pool *p)
{
	skua__trace_ext_free(p->trace_ext);
	p->trace_ext = NULL;
}

/* An event of whatever thread: a worker of p records into its own buffer,
 * any other thread into the pool's. */
static void any_event(skua_pool *p, struct skua__trace_ev ev, bool blocking)
{
	skua_worker *w = skua__tls_worker;
	if (w != NULL && w->pool == p && w->trace != NULL)
		skua__trace_event(w->trace, ev.kind, ev.start_ns, ev.end_ns,
		    ev.arg, ev.extra);
	else
		skua__trace_ext_event(p->trace_ext, ev, blocking);
}

void skua__trace_spawn(skua_pool *p, const void *id)
{
	uint64_t now = skua__now_ns();
	any_event(p, (struct skua__trace_ev){ now, now, (uintptr_t)id,
	    SKUA__TR_SPAWN, 0 }, false);
}

void skua__trace_future_ran(skua_pool *p, const void *id, bool blocking,
    uint64_t start_ns)
{
	any_event(p, (struct skua__trace_ev){ start_ns, skua__now_ns(),
	    (uintptr_t)id, SKUA__TR_FUTURE, blocking }, blocking);
}

/* How many times "%p" and "%n" occur in path. */
static size_t placeholders(const char *path)
{
	size_t n = 0;
	for (const char *s = path; *s != '\0'; s++)
		if (s[0] == '%' && (s[1] == 'p' || s[1] == 'n')) {
			n++;
			s++;
		}
	return n;
}

char *skua__trace_file_name(const char *path, unsigned k, long pid)
{
	/* Each placeholder becomes at most 20 digits and a sign; ".k" adds
	 * at most 11 bytes, and the NUL one. */
	size_t len = strlen(path) + placeholders(path) * 21 + 12;
	char *out = malloc(len);
	bool has_n = strstr(path, "%n") != NULL;
	size_t o = 0;

	if (out == NULL)
		return NULL;
	for (const char *s = path; *s != '\0'; s++) {
		if (s[0] == '%' && s[1] == 'p') {
			o += (size_t)snprintf(out + o, len - o, "%ld", pid);
			s++;
		} else if (s[0] == '%' && s[1] == 'n') {
			o += (size_t)snprintf(out + o, len - o, "%u", k);
			s++;
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
	if (!has_n && k > 1) {
		char *slash = strrchr(out, '/');
		char *dot = strrchr(out, '.');
		if (dot == NULL || (slash != NULL && dot < slash) || dot == out ||
		    (slash != NULL && dot == slash + 1))
			dot = out + o;
		char num[16];
		size_t nl = (size_t)snprintf(num, sizeof num, ".%u", k);
		/* The extension moves up to make room (with its NUL). */
		memmove(dot + nl, dot, (size_t)(out + o - dot) + 1);
		memcpy(dot, num, nl);
	}
	return out;
}

#define LABEL_LEN (SKUA_PAR_SITE_MAX + 32)

struct trace_out {
	FILE *f;
	uint64_t t0;
	long pid;
	unsigned nw; /* tids below are workers' */
	/* Each site's label, made at its first chunk (dladdr for an unnamed
	 * one) rather than at every chunk event; NULL when out of memory. */
	char (*labels)[LABEL_LEN];
};

/* Site id's label (its bytes as they are: event_json escapes them). */
static const char *chunk_label(const struct trace_out *o, unsigned id,
    char *buf)
{
	char *l = o->labels != NULL ? o->labels[id] : buf;
	if (o->labels == NULL || l[0] == '\0')
		skua__site_label(id, l, LABEL_LEN);
	return l;
}

static double us(const struct trace_out *o, uint64_t ns)
{
	return ns >= o->t0 ? (double)(ns - o->t0) / 1e3 : 0.0;
}

/* One event of thread tid as JSON. */
static void event_json(const struct trace_out *o, uint32_t tid,
    const struct skua__trace_ev *e)
{
	FILE *f = o->f;
	double ts = us(o, e->start_ns);
	double dur = e->end_ns > e->start_ns ?
	    (double)(e->end_ns - e->start_ns) / 1e3 : 0.0;
	char label[LABEL_LEN];

	switch (e->kind) {
	case SKUA__TR_TASK:
		fprintf(f, ",\n{\"name\":\"task\",\"cat\":\"task\",\"ph\":\"X\","
		    "\"ts\":%.3f,\"dur\":%.3f,\"pid\":%ld,\"tid\":%" PRIu32 "}",
		    ts, dur, o->pid, tid);
		break;
	case SKUA__TR_STEAL:
		fprintf(f, ",\n{\"name\":\"steal\",\"cat\":\"steal\",\"ph\":\"i\","
		    "\"s\":\"t\",\"ts\":%.3f,\"pid\":%ld,\"tid\":%" PRIu32
		    ",\"args\":{\"victim\":%" PRIu32 "}}", ts, o->pid, tid,
		    e->arg);
		break;
	case SKUA__TR_PARK:
		fprintf(f, ",\n{\"name\":\"parked\",\"cat\":\"park\",\"ph\":\"X\","
		    "\"ts\":%.3f,\"dur\":%.3f,\"pid\":%ld,\"tid\":%" PRIu32 "}",
		    ts, dur, o->pid, tid);
		break;
	case SKUA__TR_CHUNK: {
		const char *name = chunk_label(o, e->arg, label);
		fputs(",\n{\"name\":", f);
		skua__json_str(f, name);
		fprintf(f, ",\"cat\":\"chunk\",\"ph\":\"X\",\"ts\":%.3f,"
		    "\"dur\":%.3f,\"pid\":%ld,\"tid\":%" PRIu32
		    ",\"args\":{\"site\":", ts, dur, o->pid, tid);
		skua__json_str(f, name);
		fprintf(f, ",\"elements\":%" PRIu64 "}}", e->extra);
		break;
	}
	case SKUA__TR_SPAWN:
		fprintf(f, ",\n{\"name\":\"spawn\",\"cat\":\"future\",\"ph\":\"X\","
		    "\"ts\":%.3f,\"dur\":0.001,\"pid\":%ld,\"tid\":%" PRIu32 "}"
		    ",\n{\"name\":\"future\",\"cat\":\"future\",\"ph\":\"s\","
		    "\"id\":\"0x%" PRIx64 "\",\"ts\":%.3f,\"pid\":%ld,\"tid\":%"
		    PRIu32 "}", ts, o->pid, tid, e->extra, ts, o->pid, tid);
		break;
	case SKUA__TR_FUTURE:
		fprintf(f, ",\n{\"name\":\"%s\",\"cat\":\"future\",\"ph\":\"X\","
		    "\"ts\":%.3f,\"dur\":%.3f,\"pid\":%ld,\"tid\":%" PRIu32 "}"
		    ",\n{\"name\":\"future\",\"cat\":\"future\",\"ph\":\"f\","
		    "\"bp\":\"e\",\"id\":\"0x%" PRIx64 "\",\"ts\":%.3f,"
		    "\"pid\":%ld,\"tid\":%" PRIu32 "}",
		    e->arg ? "blocking job" : "future", ts, dur, o->pid, tid,
		    e->extra, ts, o->pid, tid);
		break;
	}
}

static void thread_name(const struct trace_out *o, uint32_t tid,
    const char *what, unsigned num)
{
	fprintf(o->f, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%ld,"
	    "\"tid\":%" PRIu32 ",\"args\":{\"name\":\"%s %u\"}}", o->pid, tid,
	    what, num);
}

uint32_t skua__trace_ext_tid(uint32_t kernel_tid, unsigned nw)
{
	/* Kernel ids stay below 2^22 (PID_MAX_LIMIT): no real id is one
	 * of these, and no two of them meet. */
	return kernel_tid < nw ? kernel_tid + (UINT32_C(1) << 30) : kernel_tid;
}

/* The other threads: a name for each tid seen (with the kernel's id),
 * then their events, on tids that no worker has. */
static void ext_json(const struct trace_out *o, const struct skua__trace_ext *x)
{
	uint32_t seen[64];
	unsigned nseen = 0;

	for (uint32_t k = 0; k < x->n; k++) {
		unsigned i = 0;
		while (i < nseen && seen[i] != x->tid[k])
			i++;
		if (i == nseen && nseen < 64) {
			seen[nseen++] = x->tid[k];
			thread_name(o, skua__trace_ext_tid(x->tid[k], o->nw),
			    x->blocking[k] ? "blocking thread" : "thread",
			    x->tid[k]);
		}
	}
	for (uint32_t k = 0; k < x->n; k++)
		event_json(o, skua__trace_ext_tid(x->tid[k], o->nw), &x->ev[k]);
}

static uint64_t first_ns(const skua_pool *p, unsigned nw)
{
	uint64_t t0 = UINT64_MAX;
	for (unsigned i = 0; i < nw; i++) {
		const struct skua__trace *t = p->workers[i]->trace;
		for (uint32_t k = 0; t != NULL && k < t->n; k++)
			if (t->ev[k].start_ns < t0)
				t0 = t->ev[k].start_ns;
	}
	const struct skua__trace_ext *x = p->trace_ext;
	for (uint32_t k = 0; x != NULL && k < x->n; k++)
		if (x->ev[k].start_ns < t0)
			t0 = x->ev[k].start_ns;
	return t0 == UINT64_MAX ? 0 : t0;
}

static void body_json(const struct trace_out *o, skua_pool *p, unsigned nw,
    uint64_t *dropped)
{
	FILE *f = o->f;
	fprintf(f, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
	fprintf(f, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%ld,"
	    "\"tid\":0,\"args\":{\"name\":\"skua pool %u (%u workers)\"}}",
	    o->pid, p->trace_number, p->n);
	for (unsigned i = 0; i < nw; i++) {
		skua_worker *w = p->workers[i];
		thread_name(o, i, w->spare ? "spare worker" : "worker", i);
		struct skua__trace *t = w->trace;
		if (t == NULL)
			continue;
		*dropped += t->dropped;
		for (uint32_t k = 0; k < t->n; k++)
			event_json(o, i, &t->ev[k]);
	}
	if (p->trace_ext != NULL) {
		ext_json(o, p->trace_ext);
		*dropped += p->trace_ext->dropped;
	}
}

/* Full buffers keep a pool's first events only: say so where the user
 * looks, not only in the file's otherData. */
static void dropped_warning(const char *name, uint64_t dropped)
{
	if (dropped != 0)
		fprintf(stderr, "skua: the trace %s lost %" PRIu64 " events: "
		    "each worker's buffer holds %u, the other threads' %u, so "
		    "it covers the start of the pool's life only\n", name,
		    dropped, (unsigned)SKUA__TRACE_EVENTS,
		    (unsigned)SKUA__TRACE_EXT_EVENTS);
}

int skua__trace_write(skua_pool *p)
{
	unsigned nw = atomic_load_explicit(&p->nvisible, memory_order_acquire);
	uint64_t dropped = 0;
	char *name = skua__trace_file_name(p->trace_path, p->trace_number,
	    (long)getpid());
	FILE *f = name != NULL ? fopen(name, "w") : NULL;

	if (f == NULL) {
		int e = name != NULL ? errno : ENOMEM;
		fprintf(stderr, "skua: cannot write the trace to %s: %s\n",
		    name != NULL ? name : p->trace_path, strerror(e));
		free(name);
		return -e;
	}
	struct trace_out o = { f, first_ns(p, nw), (long)getpid(), nw,
	    calloc(SKUA__SITES, LABEL_LEN) };
	body_json(&o, p, nw, &dropped);
	free(o.labels);
	/* origin_ns: ts 0 on CLOCK_MONOTONIC, to line up other clocks. */
	fprintf(f, "\n],\"otherData\":{\"workers\":%u,\"pool\":%u,"
	    "\"dropped_events\":%" PRIu64 ",\"events_per_worker_cap\":%u,"
	    "\"origin_ns\":%" PRIu64 "}}\n", nw, p->trace_number, dropped,
	    (unsigned)SKUA__TRACE_EVENTS, o.t0);
	int rc = ferror(f) ? -EIO : 0;
	if (fclose(f) != 0 && rc == 0)
		rc = -EIO;
	if (rc != 0)
		fprintf(stderr, "skua: error writing the trace to %s\n", name);
	else
		dropped_warning(name, dropped);
	free(name);
	return rc;
}
