/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/trace.c - per-worker event buffers and the Chrome trace writer.
 */
#include "worker.h"
#include "trace.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

void skua__trace_event(skua_worker *w, enum skua__trace_kind kind,
    uint64_t start_ns, uint64_t end_ns, uint32_t arg)
{
	struct skua__trace *t = w->trace;
	if (t->n == SKUA__TRACE_EVENTS) {
		t->dropped++;
		return;
	}
	t->ev[t->n++] = (struct skua__trace_ev){ start_ns, end_ns,
	    (uint32_t)kind, arg };
}

int skua__trace_alloc(skua_pool *p, skua_worker *w)
{
	w->trace = NULL;
	if (p->trace_path == NULL)
		return 0;
	w->trace = skua__malloc(sizeof *w->trace);
	if (w->trace == NULL)
		return -ENOMEM;
	w->trace->n = 0;
	w->trace->dropped = 0;
	return 0;
}

void skua__trace_free(skua_worker *w)
{
	skua__free(w->trace, sizeof *w->trace);
	w->trace = NULL;
}

int skua__trace_write(skua_pool *p)
{
	unsigned nw = atomic_load_explicit(&p->nvisible, memory_order_acquire);
	uint64_t t0 = UINT64_MAX, dropped = 0;
	FILE *f = fopen(p->trace_path, "w");

	if (f == NULL) {
		int e = errno;
		fprintf(stderr, "skua: cannot write the trace to %s: %s\n",
		    p->trace_path, strerror(e));
		return -e;
	}
	for (unsigned i = 0; i < nw; i++) {
		struct skua__trace *t = p->workers[i]->trace;
		for (uint32_t k = 0; t != NULL && k < t->n; k++)
			if (t->ev[k].start_ns < t0)
				t0 = t->ev[k].start_ns;
	}
	if (t0 == UINT64_MAX)
		t0 = 0;
	fprintf(f, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
	fprintf(f, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,"
	    "\"args\":{\"name\":\"skua pool (%u workers)\"}}", p->n);
	for (unsigned i = 0; i < nw; i++) {
		skua_worker *w = p->workers[i];
		fprintf(f, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,"
		    "\"tid\":%u,\"args\":{\"name\":\"%s %u\"}}", i,
		    w->spare ? "spare worker" : "worker", i);
		struct skua__trace *t = w->trace;
		if (t == NULL)
			continue;
		dropped += t->dropped;
		for (uint32_t k = 0; k < t->n; k++) {
			const struct skua__trace_ev *e = &t->ev[k];
			double ts = (double)(e->start_ns - t0) / 1e3;
			double dur = (double)(e->end_ns - e->start_ns) / 1e3;
			switch (e->kind) {
			case SKUA__TR_TASK:
				fprintf(f, ",\n{\"name\":\"task\",\"cat\":\"task\","
				    "\"ph\":\"X\",\"ts\":%.3f,\"dur\":%.3f,"
				    "\"pid\":1,\"tid\":%u}", ts, dur, i);
				break;
			case SKUA__TR_STEAL:
				fprintf(f, ",\n{\"name\":\"steal\",\"cat\":\"steal\","
				    "\"ph\":\"i\",\"s\":\"t\",\"ts\":%.3f,\"pid\":1,"
				    "\"tid\":%u,\"args\":{\"victim\":%" PRIu32 "}}",
				    ts, i, e->arg);
				break;
			case SKUA__TR_PARK:
				fprintf(f, ",\n{\"name\":\"parked\",\"cat\":\"park\","
				    "\"ph\":\"X\",\"ts\":%.3f,\"dur\":%.3f,"
				    "\"pid\":1,\"tid\":%u}", ts, dur, i);
				break;
			}
		}
	}
	fprintf(f, "\n],\"otherData\":{\"workers\":%u,\"dropped_events\":%" PRIu64
	    ",\"events_per_worker_cap\":%u}}\n", nw, dropped,
	    (unsigned)SKUA__TRACE_EVENTS);
	int rc = ferror(f) ? -EIO : 0;
	if (fclose(f) != 0 && rc == 0)
		rc = -EIO;
	if (rc != 0)
		fprintf(stderr, "skua: error writing the trace to %s\n",
		    p->trace_path);
	return rc;
}
