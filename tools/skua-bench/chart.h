/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/chart.h - a chart described as data (title, axes,
 * series of points) and the one renderer that writes it as SVG: every
 * chart of skua-bench (--plot's speedup and chunk charts, tune's chart)
 * is one of these, filled from a JSON document by plot.c.
 */
#ifndef SKB_CHART_H
#define SKB_CHART_H

#include <stdbool.h>
#include <stdio.h>

enum skb_chart_scale { SKB_CHART_LINEAR, SKB_CHART_LOG2, SKB_CHART_LOG10 };

typedef struct skb_chart_axis {
	char label[160];
	enum skb_chart_scale scale;
	bool from_zero;  /* linear: the range starts at 0 */
	bool integer;    /* linear: ticks at whole numbers only */
} skb_chart_axis;

typedef struct skb_chart_point {
	double x, y;
	double lo, hi;   /* a bar from lo to hi; NAN: none */
} skb_chart_point;

typedef struct skb_chart_series {
	char label[160];
	int colour;      /* an index into the palette; -1: grey */
	bool dashed;
	bool marks;      /* a dot at each point (the default) */
	double ref;      /* a dashed horizontal line at y = ref in the
	                    series' colour (tune's auto); NAN: none */
	skb_chart_point *pts;
	int n, cap;
} skb_chart_series;

#define SKB_CHART_SERIES_MAX 32

typedef struct skb_chart {
	const char *id;  /* the SVG group's id */
	char title[160];
	skb_chart_axis x, y;
	double w, h;     /* the plot area in pixels; 0: 400 x 300 */
	char note[160];  /* written in the plot area when it has no series */
	skb_chart_series series[SKB_CHART_SERIES_MAX];
	int nseries;
} skb_chart;

/* An empty chart: linear axes, no series. */
void skb_chart_init(skb_chart *c, const char *id, const char *title);
/* A new series (marks, ref NAN, no points); NULL when the chart is
 * full. */
skb_chart_series *skb_chart_add_series(skb_chart *c, const char *label,
    int colour, bool dashed);
/* A point (lo and hi NAN for no bar); 0, or -1 out of memory. */
int skb_chart_add_point(skb_chart_series *s, double x, double y, double lo,
    double hi);
void skb_chart_free(skb_chart *c);

/* One SVG document: the title (NULL: none) above the n charts side by
 * side, each in a <g id="..."> holding one <polyline> per series with a
 * point, and a <g class="legend"> with one <text> per series.  Points
 * that are not finite, or not positive on a log axis, are left out.
 * 0, or -1 when writing f failed. */
int skb_chart_svg(FILE *f, const char *title, const skb_chart *charts,
    int n);

#endif
