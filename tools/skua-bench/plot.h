/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/plot.h - the charts of skua-bench's JSON documents: a
 * run's results (--json, emit.c) give the speedup and chunk charts, tune's
 * --json (tune_emit.c) gives the tune chart.  --plot, tune --plot and
 * `skua-bench plot IN.json OUT.svg` all draw through here, from the
 * document, never from the in-memory results.
 */
#ifndef SKB_PLOT_H
#define SKB_PLOT_H

#include "json.h"

#include <stdio.h>

/* The charts of doc into the SVG file path; src names the document in
 * messages.  0, or -1 with a message on stderr (not a document of
 * skua-bench's, or path could not be written). */
int skb_plot_doc(const skb_json *doc, const char *src, const char *path);

/* The same from the document's text. */
int skb_plot_text(const char *json, const char *src, const char *path);

/* The same from a document that emit(f, arg) writes: in memory, then
 * drawn as a saved one is (--plot, tune --plot). */
int skb_plot_emitted(void (*emit)(FILE *f, const void *arg), const void *arg,
    const char *src, const char *path);

/* `skua-bench plot IN.json OUT.svg` (argv[0] is "plot"): the exit status,
 * 0, 1 (unreadable, not a document, not written) or 2 (bad usage). */
int skb_plot_main(int argc, char **argv);

#endif
