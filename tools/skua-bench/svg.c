/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/svg.c - --plot: the speedup-vs-workers and
 * time-vs-chunk charts of a run, as SVG written directly (no plotting
 * dependency), from the same results as emit.c's table, JSON and CSV.
 */
#include "bench.h"

#include <math.h>
#include <string.h>

static const char *palette[] = { "#1f77b4", "#d62728", "#2ca02c",
	"#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf" };

void skb_svg_escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
	}
}

static void svg_text(FILE *f, double x, double y, const char *anchor,
    int size, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
	    "font-size=\"%d\">", x, y, anchor, size);
	skb_svg_escape(f, s);
	fputs("</text>\n", f);
}

/* A chart frame at (x0, y0) of w x h, with its title. */
struct frame {
	double x0, y0, w, h;
};

static void frame_draw(FILE *f, const struct frame *fr, const char *title,
    const char *xlabel, const char *ylabel)
{
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
	    "fill=\"none\" stroke=\"#333\"/>\n", fr->x0, fr->y0, fr->w, fr->h);
	svg_text(f, fr->x0 + fr->w / 2, fr->y0 - 12, "middle", 15, title);
	svg_text(f, fr->x0 + fr->w / 2, fr->y0 + fr->h + 36, "middle", 12,
	    xlabel);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
	    "font-size=\"12\" transform=\"rotate(-90 %.1f %.1f)\">%s</text>\n",
	    fr->x0 - 44, fr->y0 + fr->h / 2, fr->x0 - 44, fr->y0 + fr->h / 2,
	    ylabel);
}

/* One (workload, runner) line of the speedup chart, from result i. */
static void speedup_series(FILE *f, const skb_run *r, const struct frame *fr,
    int i, int series, unsigned maxw, double maxs)
{
	const skb_result *x = &r->results[i];
	int rn = (int)x->runner;
#define SX(v) (fr->x0 + ((double)(v) - 0.5) / ((double)maxw) * fr->w)
#define SY(v) (fr->y0 + fr->h - (v) / maxs * fr->h)
	const char *col = palette[series % 8];
	const char *dash = rn == SKB_SKUA ? "" :
	    " stroke-dasharray=\"6 3\"";
	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" "
	    "stroke-width=\"2\"%s points=\"", col, dash);
	for (int j = i; j < r->nresults; j++) {
		const skb_result *y = &r->results[j];
		if (y->runner == x->runner && y->chunk < 0 &&
		    strcmp(y->workload, x->workload) == 0)
			fprintf(f, "%.1f,%.1f ", SX(y->workers),
			    SY(y->speedup));
	}
	fprintf(f, "\"/>\n");
	for (int j = i; j < r->nresults; j++) {
		const skb_result *y = &r->results[j];
		if (y->runner == x->runner && y->chunk < 0 &&
		    strcmp(y->workload, x->workload) == 0)
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" "
			    "r=\"3\" fill=\"%s\"/>\n",
			    SX(y->workers), SY(y->speedup), col);
	}
	char label[64];
	snprintf(label, sizeof label, "%s (%s)", x->workload,
	    skb_runner_name(x->runner));
	double ly = fr->y0 + 16 + 16 * series;
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
	    "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
	    fr->x0 + 10, ly - 4, fr->x0 + 30, ly - 4, col, dash);
	svg_text(f, fr->x0 + 34, ly, "start", 11, label);
#undef SX
#undef SY
}

static void speedup_chart(FILE *f, const skb_run *r, const struct frame *fr)
{
	unsigned maxw = 1;
	double maxs = 1;
	for (int i = 0; i < r->nresults; i++) {
		const skb_result *x = &r->results[i];
		if (x->chunk >= 0 || x->runner == SKB_SERIAL)
			continue;
		if (x->workers > maxw)
			maxw = x->workers;
		if (x->speedup > maxs)
			maxs = x->speedup;
	}
	if (maxs < maxw)
		maxs = maxw;
	maxs = ceil(maxs * 1.1 * 2) / 2;
	frame_draw(f, fr, "Speedup over serial C", "workers",
	    "speedup (serial median / median)");
#define SX(v) (fr->x0 + ((double)(v) - 0.5) / ((double)maxw) * fr->w)
#define SY(v) (fr->y0 + fr->h - (v) / maxs * fr->h)
	for (unsigned k = 1; k <= maxw; k = k < 8 ? k + 1 : k * 2) {
		char t[16];
		snprintf(t, sizeof t, "%u", k);
		svg_text(f, SX(k), fr->y0 + fr->h + 16, "middle", 11, t);
	}
	for (int k = 0; k <= 5; k++) {
		char t[16];
		double v = maxs * k / 5;
		snprintf(t, sizeof t, "%.2g", v);
		svg_text(f, fr->x0 - 6, SY(v) + 4, "end", 11, t);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"#ddd\"/>\n", fr->x0, SY(v), fr->x0 + fr->w, SY(v));
	}
	/* The ideal: speedup = workers. */
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n", SX(1), SY(1.0),
	    SX(maxw), SY((double)maxw));
	int series = 0;
	for (int rn = SKB_SKUA; rn <= SKB_TBB; rn++) {
		for (int i = 0; i < r->nresults; i++) {
			const skb_result *x = &r->results[i];
			if (x->runner != (enum skb_runner)rn || x->chunk >= 0)
				continue;
			/* The first point of each (workload, runner) line. */
			bool first = true;
			for (int j = 0; j < i; j++)
				if (r->results[j].runner == x->runner &&
				    r->results[j].chunk < 0 &&
				    strcmp(r->results[j].workload,
				    x->workload) == 0)
					first = false;
			if (!first)
				continue;
			speedup_series(f, r, fr, i, series, maxw, maxs);
			series++;
		}
	}
#undef SX
#undef SY
}

/* One workload's curve of the chunk chart, with its legend line. */
static void chunk_series(FILE *f, const skb_run *r, const struct frame *fr,
    int b, double lmin, double lmax, double lc)
{
#define CX(c) (fr->x0 + 20 + ((c) <= 0 ? 0 : log2((double)(c)) + 1) / lc * \
	(fr->w - 40))
#define CY(t) (fr->y0 + fr->h - (log10((t) * 1e3) - lmin) / (lmax - lmin) * fr->h)
	const char *col = palette[b % 8];
	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" "
	    "stroke-width=\"2\" points=\"", col);
	for (int i = 0; i < r->nresults; i++) {
		const skb_result *x = &r->results[i];
		if (x->chunk > 0 && strcmp(x->workload,
		    r->best[b].workload) == 0)
			fprintf(f, "%.1f,%.1f ", CX(x->chunk),
			    CY(x->median));
	}
	fprintf(f, "\"/>\n");
	for (int i = 0; i < r->nresults; i++) {
		const skb_result *x = &r->results[i];
		if (x->chunk >= 0 && strcmp(x->workload,
		    r->best[b].workload) == 0)
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" "
			    "r=\"%d\" fill=\"%s\"/>\n", CX(x->chunk),
			    CY(x->median), x->chunk == 0 ? 5 : 3, col);
	}
	char label[128];
	char ch[24];
	snprintf(label, sizeof label, "%s %ld, %u workers (best: %s)",
	    r->best[b].workload, r->best[b].size, r->best[b].workers,
	    skb_chunk_str(r->best[b].chunk, ch, sizeof ch));
	double ly = fr->y0 + 16 + 16 * b;
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "stroke=\"%s\" stroke-width=\"2\"/>\n", fr->x0 + fr->w - 250,
	    ly - 4, fr->x0 + fr->w - 230, ly - 4, col);
	svg_text(f, fr->x0 + fr->w - 226, ly, "start", 11, label);
#undef CX
#undef CY
}

static void chunk_chart(FILE *f, const skb_run *r, const struct frame *fr)
{
	frame_draw(f, fr, "Time versus chunk size", "chunk size (elements; "
	    "the leftmost point is auto)", "median time (ms, log scale)");
	double tmin = 0, tmax = 0;
	long cmax = 1;
	for (int i = 0; i < r->nresults; i++) {
		const skb_result *x = &r->results[i];
		if (x->chunk < 0)
			continue;
		if (tmin == 0 || x->median < tmin)
			tmin = x->median;
		if (x->median > tmax)
			tmax = x->median;
		if (x->chunk > cmax)
			cmax = x->chunk;
	}
	if (tmax == 0) {
		svg_text(f, fr->x0 + fr->w / 2, fr->y0 + fr->h / 2, "middle", 13,
		    "no chunk sweep in this run (--sweep-chunks)");
		return;
	}
	double lmin = floor(log10(tmin * 1e3)), lmax = ceil(log10(tmax * 1e3));
	if (lmax <= lmin)
		lmax = lmin + 1;
	double lc = log2((double)cmax) + 1; /* slot 0 is auto, 1 is chunk 1 */
#define CX(c) (fr->x0 + 20 + ((c) <= 0 ? 0 : log2((double)(c)) + 1) / lc * \
	(fr->w - 40))
#define CY(t) (fr->y0 + fr->h - (log10((t) * 1e3) - lmin) / (lmax - lmin) * fr->h)
	for (double l = lmin; l <= lmax; l++) {
		char t[24];
		snprintf(t, sizeof t, "%g", pow(10, l));
		double y = fr->y0 + fr->h - (l - lmin) / (lmax - lmin) * fr->h;
		svg_text(f, fr->x0 - 6, y + 4, "end", 11, t);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"#ddd\"/>\n", fr->x0, y, fr->x0 + fr->w, y);
	}
	svg_text(f, CX(0), fr->y0 + fr->h + 16, "middle", 11, "auto");
	for (long c = 1; c <= cmax; c *= 4) {
		char t[24];
		if (c >= 1 << 20)
			snprintf(t, sizeof t, "%ldM", c >> 20);
		else if (c >= 1024)
			snprintf(t, sizeof t, "%ldk", c >> 10);
		else
			snprintf(t, sizeof t, "%ld", c);
		svg_text(f, CX(c), fr->y0 + fr->h + 16, "middle", 11, t);
	}
	for (int b = 0; b < r->nbest; b++) {
		chunk_series(f, r, fr, b, lmin, lmax, lc);
	}
#undef CX
#undef CY
}

int skb_write_svg(const char *path, const skb_run *r)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	const double W = 1000, H = 470;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
	    "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
	    "font-family=\"sans-serif\">\n", W, H, W, H);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	char title[256];
	snprintf(title, sizeof title, "skua-bench %s - %s, %u CPUs, %s",
	    SKUA_VERSION_STRING, r->cpu_model, r->cpus, r->date);
	svg_text(f, W / 2, 22, "middle", 13, title);
	struct frame a = { 70, 60, 380, 340 }, b = { 570, 60, 400, 340 };
	fprintf(f, "<g id=\"speedup\">\n");
	speedup_chart(f, r, &a);
	fprintf(f, "</g>\n<g id=\"chunks\">\n");
	chunk_chart(f, r, &b);
	fprintf(f, "</g>\n</svg>\n");
	if (fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}
