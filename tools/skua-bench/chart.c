/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/chart.c - chart.h's renderer, the one place that writes
 * SVG: the plot area's frame, ticks and grid for linear, log2 and log10
 * axes, each series (polyline, markers, min..max bars, the dashed
 * reference line), the legend below the axis label, the palette and the
 * escape of text.  Plain SVG, no plotting dependency.
 */
#include "chart.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const palette[] = { "#1f77b4", "#d62728", "#2ca02c",
	"#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf" };

/* The layout around a plot area, in pixels. */
#define MARGIN_L 78.0    /* the y tick labels and the y label */
#define MARGIN_R 30.0
#define MARGIN_T 44.0    /* the chart's title */
#define LEGEND_DY 58.0   /* the plot area's bottom to the legend's 1st row */
#define ROW 16.0         /* a legend row */
#define TITLE_H 34.0     /* the document's title */
#define TICKS_MAX 40

static const char *colour_of(int k)
{
	return k < 0 ? "#999" : palette[k % 8];
}

void skb_chart_init(skb_chart *c, const char *id, const char *title)
{
	memset(c, 0, sizeof *c);
	c->id = id;
	snprintf(c->title, sizeof c->title, "%s", title);
}

skb_chart_series *skb_chart_add_series(skb_chart *c, const char *label,
    int colour, bool dashed)
{
	if (c->nseries == SKB_CHART_SERIES_MAX)
		return NULL;
	skb_chart_series *s = &c->series[c->nseries++];
	memset(s, 0, sizeof *s);
	snprintf(s->label, sizeof s->label, "%s", label);
	s->colour = colour;
	s->dashed = dashed;
	s->marks = true;
	s->ref = NAN;
	return s;
}

/* Points are kept in x order (a line is drawn through them in it). */
int skb_chart_add_point(skb_chart_series *s, double x, double y, double lo,
    double hi)
{
	if (s->n == s->cap) {
		int cap = s->cap ? 2 * s->cap : 16;
		skb_chart_point *p = realloc(s->pts, (size_t)cap * sizeof *p);
		if (p == NULL)
			return -1;
		s->pts = p;
		s->cap = cap;
	}
	int i = s->n++;
	for (; i > 0 && s->pts[i - 1].x > x; i--)
		s->pts[i] = s->pts[i - 1];
	s->pts[i] = (skb_chart_point){ x, y, lo, hi };
	return 0;
}

void skb_chart_free(skb_chart *c)
{
	for (int k = 0; k < c->nseries; k++) {
		free(c->series[k].pts);
		c->series[k].pts = NULL;
		c->series[k].n = c->series[k].cap = 0;
	}
}

/* ---- scales -------------------------------------------------------- */

/* An axis: its range in its own space (the log of the values on a log
 * axis), drawn over len pixels from p0 (flip: upward, for y). */
struct scale {
	enum skb_chart_scale kind;
	double lo, hi;
	double p0, len;
	bool flip;
};

static bool usable(enum skb_chart_scale k, double v)
{
	return isfinite(v) && (k == SKB_CHART_LINEAR || v > 0);
}

static double space(enum skb_chart_scale k, double v)
{
	return k == SKB_CHART_LOG2 ? log2(v) : k == SKB_CHART_LOG10 ?
	    log10(v) : v;
}

static double px(const struct scale *s, double v)
{
	double f = (space(s->kind, v) - s->lo) / (s->hi - s->lo);
	return s->flip ? s->p0 + s->len - f * s->len : s->p0 + f * s->len;
}

static bool visible(const skb_chart *c, const skb_chart_point *p)
{
	return usable(c->x.scale, p->x) && usable(c->y.scale, p->y);
}

struct span {
	double lo, hi;
	bool any;
};

static void span_add(struct span *sp, enum skb_chart_scale k, double v)
{
	if (!usable(k, v))
		return;
	v = space(k, v);
	if (!sp->any || v < sp->lo)
		sp->lo = v;
	if (!sp->any || v > sp->hi)
		sp->hi = v;
	sp->any = true;
}

/* The range of what is drawn along x (y false) or y. */
static struct span data_span(const skb_chart *c, bool y)
{
	struct span sp = { 0, 0, false };
	enum skb_chart_scale k = y ? c->y.scale : c->x.scale;
	for (int j = 0; j < c->nseries; j++) {
		const skb_chart_series *s = &c->series[j];
		if (y)
			span_add(&sp, k, s->ref);
		for (int i = 0; i < s->n; i++) {
			const skb_chart_point *p = &s->pts[i];
			if (!visible(c, p))
				continue;
			span_add(&sp, k, y ? p->y : p->x);
			if (y) {
				span_add(&sp, k, p->lo);
				span_add(&sp, k, p->hi);
			}
		}
	}
	return sp;
}

/* 1, 2 or 5 times a power of ten, the nearest to raw. */
static double nice_step(double raw)
{
	double e = pow(10, floor(log10(raw)));
	double f = raw / e;
	return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * e;
}

/* The axis's range around the data: whole decades on log10, a margin
 * elsewhere (none below 0 on a from_zero axis). */
static void fit(struct scale *s, const skb_chart_axis *a, struct span sp)
{
	double lo = sp.any ? sp.lo : 0, hi = sp.any ? sp.hi : 1;
	s->kind = a->scale;
	if (a->scale == SKB_CHART_LOG10) {
		lo = floor(lo);
		hi = ceil(hi);
		if (hi <= lo)
			hi = lo + 1;
	} else if (a->scale == SKB_CHART_LOG2) {
		/* A quarter of an octave at least; one for a single value. */
		double pad = hi - lo < 1e-9 ? 1 : fmax((hi - lo) * 0.04, 0.25);
		lo -= pad;
		hi += pad;
	} else {
		if (a->from_zero && lo > 0)
			lo = 0;
		double span = hi - lo > 0 ? hi - lo : fabs(hi) > 0 ? fabs(hi) :
		    1;
		double pad = span * 0.06;
		if (a->integer && pad < 0.5)
			pad = 0.5;
		if (!(a->from_zero && lo == 0))
			lo -= pad;
		hi += pad;
	}
	s->lo = lo;
	s->hi = hi;
}

/* The tick values of axis a over s, in data space; their count. */
static int ticks(const struct scale *s, const skb_chart_axis *a, double *t)
{
	int n = 0;
	if (s->kind == SKB_CHART_LINEAR) {
		double step = nice_step((s->hi - s->lo) / 5);
		if (a->integer && step < 1)
			step = 1;
		double first = ceil(s->lo / step - 1e-9) * step;
		for (int i = 0; n < TICKS_MAX; i++) {
			double v = first + i * step;
			if (v > s->hi + step * 1e-9)
				break;
			t[n++] = fabs(v) < step * 1e-9 ? 0 : v;
		}
		return n;
	}
	double base = s->kind == SKB_CHART_LOG2 ? 2 : 10;
	int e0 = (int)ceil(s->lo - 1e-9), e1 = (int)floor(s->hi + 1e-9);
	int every = 1;
	while ((e1 - e0) / every + 1 > 10)
		every *= 2;
	for (int e = e0; e <= e1 && n < TICKS_MAX; e += every)
		t[n++] = pow(base, e);
	/* Within one decade, 2 and 5 as well. */
	for (int e = e0 - 1; s->kind == SKB_CHART_LOG10 && e1 - e0 <= 1 &&
	    e <= e1 && n + 2 <= TICKS_MAX; e++)
		for (int m = 2; m <= 5; m += 3)
			if (log10(m) + e > s->lo && log10(m) + e < s->hi)
				t[n++] = m * pow(10, e);
	return n;
}

static void tick_label(const struct scale *s, double v, char *buf,
    size_t len)
{
	if (s->kind == SKB_CHART_LOG2 && v >= 1 << 20)
		snprintf(buf, len, "%gM", v / (1 << 20));
	else if (s->kind == SKB_CHART_LOG2 && v >= 1024)
		snprintf(buf, len, "%gk", v / 1024);
	else
		snprintf(buf, len, "%g", v);
}

/* ---- SVG ----------------------------------------------------------- */

/* s as XML text: <, > and & escaped, control characters (not allowed in
 * XML 1.0) as '?'. */
static void escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '<')
			fputs("&lt;", f);
		else if (ch == '>')
			fputs("&gt;", f);
		else if (ch == '&')
			fputs("&amp;", f);
		else
			fputc(ch < 0x20 ? '?' : ch, f);
	}
}

/* A text at (x, y); rotated: reading upward, as a y axis label. */
static void text(FILE *f, double x, double y, const char *anchor, int size,
    bool rotated, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
	    "font-size=\"%d\"", x, y, anchor, size);
	if (rotated)
		fprintf(f, " transform=\"rotate(-90 %.1f %.1f)\"", x, y);
	fputc('>', f);
	escape(f, s);
	fputs("</text>\n", f);
}

static void line(FILE *f, double x1, double y1, double x2, double y2,
    const char *colour, const char *extra)
{
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "stroke=\"%s\"%s/>\n", x1, y1, x2, y2, colour, extra);
}

/* The grid and tick labels, the frame, the title and the axis labels. */
static void draw_axes(FILE *f, const skb_chart *c, const struct scale *sx,
    const struct scale *sy)
{
	double t[TICKS_MAX], x0 = sx->p0, y0 = sy->p0, w = sx->len,
	    h = sy->len;
	char buf[32];
	int n = ticks(sy, &c->y, t);
	for (int k = 0; k < n; k++) {
		double y = px(sy, t[k]);
		line(f, x0, y, x0 + w, y, "#ddd", "");
		tick_label(sy, t[k], buf, sizeof buf);
		text(f, x0 - 6, y + 4, "end", 11, false, buf);
	}
	n = ticks(sx, &c->x, t);
	for (int k = 0; k < n; k++) {
		double x = px(sx, t[k]);
		line(f, x, y0 + h, x, y0 + h + 4, "#333", "");
		tick_label(sx, t[k], buf, sizeof buf);
		text(f, x, y0 + h + 17, "middle", 11, false, buf);
	}
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
	    "fill=\"none\" stroke=\"#333\"/>\n", x0, y0, w, h);
	text(f, x0 + w / 2, y0 - 14, "middle", 15, false, c->title);
	text(f, x0 + w / 2, y0 + h + 36, "middle", 12, false, c->x.label);
	text(f, x0 - 58, y0 + h / 2, "middle", 12, true, c->y.label);
}

/* The reference line, the polyline through the points, their bars and
 * their markers. */
static void draw_series(FILE *f, const skb_chart *c,
    const skb_chart_series *s, const struct scale *sx,
    const struct scale *sy)
{
	const char *col = colour_of(s->colour);
	int shown = 0;
	if (usable(c->y.scale, s->ref)) {
		double y = px(sy, s->ref);
		line(f, sx->p0, y, sx->p0 + sx->len, y, col,
		    " stroke-dasharray=\"6 4\"");
	}
	for (int i = 0; i < s->n; i++)
		shown += visible(c, &s->pts[i]);
	if (shown == 0)
		return;
	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s "
	    "points=\"", col, s->dashed ? " stroke-dasharray=\"6 3\"" : "");
	for (int i = 0, k = 0; i < s->n; i++)
		if (visible(c, &s->pts[i]))
			fprintf(f, "%s%.1f,%.1f", k++ ? " " : "",
			    px(sx, s->pts[i].x), px(sy, s->pts[i].y));
	fputs("\"/>\n", f);
	for (int i = 0; i < s->n; i++) {
		const skb_chart_point *p = &s->pts[i];
		if (!visible(c, p))
			continue;
		double x = px(sx, p->x);
		if (usable(c->y.scale, p->lo) && usable(c->y.scale, p->hi))
			line(f, x, px(sy, p->lo), x, px(sy, p->hi), col, "");
		if (s->marks)
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
			    "fill=\"%s\"/>\n", x, px(sy, p->y), col);
	}
}

static double area_w(const skb_chart *c)
{
	return c->w > 0 ? c->w : 400;
}

static double area_h(const skb_chart *c)
{
	return c->h > 0 ? c->h : 300;
}

/* The legend's columns: as many as the longest label lets fit. */
static int legend_cols(const skb_chart *c)
{
	size_t longest = 1;
	for (int k = 0; k < c->nseries; k++)
		if (strlen(c->series[k].label) > longest)
			longest = strlen(c->series[k].label);
	int cols = (int)(area_w(c) / (40 + 6.5 * (double)longest));
	return cols < 1 ? 1 : cols > c->nseries && c->nseries > 0 ?
	    c->nseries : cols;
}

static int legend_rows(const skb_chart *c)
{
	int cols = legend_cols(c);
	return (c->nseries + cols - 1) / cols;
}

/* A sample of each series' line and its label, column by column. */
static void draw_legend(FILE *f, const skb_chart *c, double x0, double y0)
{
	int rows = legend_rows(c);
	double colw = area_w(c) / legend_cols(c);
	fputs("<g class=\"legend\">\n", f);
	for (int k = 0; k < c->nseries; k++) {
		const skb_chart_series *s = &c->series[k];
		double x = x0 + colw * (k / rows), y = y0 + ROW * (k % rows);
		line(f, x, y - 4, x + 22, y - 4, colour_of(s->colour),
		    s->dashed ? " stroke-width=\"2\" stroke-dasharray=\"6 3\"" :
		    " stroke-width=\"2\"");
		text(f, x + 26, y, "start", 11, false, s->label);
	}
	fputs("</g>\n", f);
}

static double chart_width(const skb_chart *c)
{
	return MARGIN_L + area_w(c) + MARGIN_R;
}

static double chart_height(const skb_chart *c)
{
	return MARGIN_T + area_h(c) + LEGEND_DY + ROW * legend_rows(c);
}

/* One chart with its top left corner at (ox, oy). */
static void draw_chart(FILE *f, const skb_chart *c, double ox, double oy)
{
	struct scale sx = { .p0 = ox + MARGIN_L, .len = area_w(c) };
	struct scale sy = { .p0 = oy + MARGIN_T, .len = area_h(c),
		.flip = true };
	fit(&sx, &c->x, data_span(c, false));
	fit(&sy, &c->y, data_span(c, true));
	fprintf(f, "<g id=\"%s\">\n", c->id);
	draw_axes(f, c, &sx, &sy);
	for (int k = 0; k < c->nseries; k++)
		draw_series(f, c, &c->series[k], &sx, &sy);
	if (c->nseries == 0)
		text(f, sx.p0 + sx.len / 2, sy.p0 + sy.len / 2, "middle", 13,
		    false, c->note);
	draw_legend(f, c, sx.p0, sy.p0 + sy.len + LEGEND_DY);
	fputs("</g>\n", f);
}

int skb_chart_svg(FILE *f, const char *title, const skb_chart *charts,
    int n)
{
	double top = title != NULL ? TITLE_H : 8, w = 0, h = 0;
	for (int k = 0; k < n; k++) {
		w += chart_width(&charts[k]);
		if (chart_height(&charts[k]) > h)
			h = chart_height(&charts[k]);
	}
	h += top;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
	    "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
	    "font-family=\"sans-serif\">\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
	    ceil(w), ceil(h), ceil(w), ceil(h));
	if (title != NULL)
		text(f, w / 2, 22, "middle", 13, false, title);
	double ox = 0;
	for (int k = 0; k < n; k++) {
		draw_chart(f, &charts[k], ox, top);
		ox += chart_width(&charts[k]);
	}
	fputs("</svg>\n", f);
	return ferror(f) ? -1 : 0;
}
