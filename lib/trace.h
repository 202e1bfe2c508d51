/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/trace.h - the timeline trace (SKUA_TRACE / skua_config.trace).
 *
 * Each worker records into its own fixed-size buffer, with no locks and no
 * shared writes: task spans, steals, parked spans.  When the buffer is
 * full, further events are counted as dropped.  skua_pool_destroy writes
 * the Chrome trace-event JSON format (chrome://tracing, Perfetto).  With
 * tracing off, each hook is one predictable branch on w->trace.
 */
#ifndef SKUA_TRACE_H
#define SKUA_TRACE_H

#include <stdint.h>

#define SKUA__TRACE_EVENTS 65536 /* per worker: 1.5 MiB */

enum skua__trace_kind { SKUA__TR_TASK, SKUA__TR_STEAL, SKUA__TR_PARK };

struct skua__trace_ev {
	uint64_t start_ns, end_ns;
	uint32_t kind, arg;
};

struct skua__trace {
	uint32_t n;
	uint64_t dropped;
	struct skua__trace_ev ev[SKUA__TRACE_EVENTS];
};

struct skua_worker;
struct skua_pool;
void skua__trace_event(struct skua_worker *w, enum skua__trace_kind kind,
    uint64_t start_ns, uint64_t end_ns, uint32_t arg);
int skua__trace_alloc(struct skua_pool *p, struct skua_worker *w);
/* Write the file; returns 0 or a negative errno.  Frees the buffers. */
int skua__trace_write(struct skua_pool *p);
void skua__trace_free(struct skua_worker *w);

#define SKUA_TRACE_EVENT(w, kind, start, end, arg)                           \
	do {                                                                 \
		if (SKUA_UNLIKELY((w)->trace != NULL))                       \
			skua__trace_event((w), (kind), (start), (end), (arg)); \
	} while (0)

#endif
