/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/tune_plot.c - `tune --plot FILE.svg`: the median figure
 * against the chunk size (log scale), one curve per site with each value's
 * min..max as a bar, and auto's median as a dashed line of the same colour.
 */
#include "bench.h"
#include "tune.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

static const char *const colours[] = { "#1f77b4", "#d62728", "#2ca02c",
	"#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf" };

#define X0 80.0
#define Y0 50.0
#define W 560.0
#define H 320.0

struct scale {
	double xmin, xmax, ymin, ymax;
};

static double sx(const struct scale *s, uint64_t v)
{
	return X0 + (log2((double)v) - s->xmin) / (s->xmax - s->xmin) * W;
}

static double sy(const struct scale *s, double v)
{
	return Y0 + H - (v - s->ymin) / (s->ymax - s->ymin) * H;
}

static struct scale scale_of(const tune_plan *pl)
{
	struct scale s = { INFINITY, -INFINITY, INFINITY, -INFINITY };
	for (int k = 0; k < pl->nsites; k++) {
		const tune_site *t = &pl->sites[k];
		for (int i = 0; i <= t->nvalues; i++) {
			s.ymin = fmin(s.ymin, t->lo[i]);
			s.ymax = fmax(s.ymax, t->hi[i]);
			if (i > 0) {
				double x = log2((double)t->values[i - 1]);
				s.xmin = fmin(s.xmin, x);
				s.xmax = fmax(s.xmax, x);
			}
		}
	}
	if (!(s.xmax > s.xmin)) {
		s.xmin -= 1;
		s.xmax += 1;
	}
	double pad = (s.ymax - s.ymin) * 0.08 + 1e-9 * fabs(s.ymax) + 1e-12;
	s.ymin -= pad;
	s.ymax += pad;
	return s;
}

static void axes(FILE *f, const tune_plan *pl, const struct scale *s)
{
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
	    "fill=\"none\" stroke=\"#333\"/>\n", X0, Y0, W, H);
	fprintf(f, "<text x=\"%.1f\" y=\"28\" text-anchor=\"middle\" "
	    "font-size=\"15\">skua-bench tune: %s against chunk size</text>\n",
	    X0 + W / 2, pl->metric ? "skua-metric" : "wall time");
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
	    "font-size=\"12\">SKUA_CHUNK_SIZE_&lt;SITE&gt; (elements, log "
	    "scale); dashed: auto</text>\n", X0 + W / 2, Y0 + H + 38);
	for (int e = (int)ceil(s->xmin); e <= (int)floor(s->xmax); e++) {
		uint64_t v = (uint64_t)1 << e;
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
		    "font-size=\"10\">%" PRIu64 "</text>\n", sx(s, v),
		    Y0 + H + 16, v);
	}
	for (int k = 0; k <= 5; k++) {
		double v = s->ymin + (s->ymax - s->ymin) * k / 5;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#ddd\"/>\n<text x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"end\" font-size=\"10\">%.4g</text>\n", X0,
		    sy(s, v), X0 + W, sy(s, v), X0 - 6, sy(s, v) + 4, v);
	}
}

static void curve(FILE *f, const tune_site *t, const struct scale *s,
    const char *col, int k)
{
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "stroke=\"%s\" stroke-dasharray=\"6 4\"/>\n", X0, sy(s, t->med[0]),
	    X0 + W, sy(s, t->med[0]), col);
	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
	    "points=\"", col);
	for (int i = 1; i <= t->nvalues; i++)
		fprintf(f, "%.1f,%.1f ", sx(s, t->values[i - 1]),
		    sy(s, t->med[i]));
	fputs("\"/>\n", f);
	for (int i = 1; i <= t->nvalues; i++) {
		double x = sx(s, t->values[i - 1]);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"%s\"/>\n<circle cx=\"%.1f\" "
		    "cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", x, sy(s, t->lo[i]), x,
		    sy(s, t->hi[i]), col, x, sy(s, t->med[i]), col);
	}
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"%s\">",
	    X0 + 10, Y0 + 16 + 15 * k, col);
	skb_svg_escape(f, t->name);
	fputs("</text>\n", f);
}

int tune_plot(const tune_plan *pl, const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	struct scale s = scale_of(pl);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
	    "height=\"%.0f\" font-family=\"sans-serif\">\n<rect width=\"100%%\" "
	    "height=\"100%%\" fill=\"white\"/>\n", X0 + W + 30, Y0 + H + 60);
	axes(f, pl, &s);
	for (int k = 0; k < pl->nsites; k++)
		curve(f, &pl->sites[k], &s, colours[k % 8], k);
	fputs("</svg>\n", f);
	if (fclose(f) != 0) {
		fprintf(stderr, "skua-bench tune: error writing %s\n", path);
		return -1;
	}
	return 0;
}
