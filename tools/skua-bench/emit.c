/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/emit.c - one result model, four renderings: the table on
 * stdout, JSON, CSV, and an SVG with two charts (written directly, no
 * plotting dependency).
 */
#include "bench.h"

#include <math.h>
#include <string.h>

static const char *chunk_str(long chunk, char *buf, size_t len)
{
	if (chunk < 0)
		snprintf(buf, len, "-");
	else if (chunk == 0)
		snprintf(buf, len, "auto");
	else
		snprintf(buf, len, "%ld", chunk);
	return buf;
}

static void time_str(double s, char *buf, size_t len)
{
	if (s >= 1)
		snprintf(buf, len, "%.3f s", s);
	else if (s >= 1e-3)
		snprintf(buf, len, "%.2f ms", s * 1e3);
	else
		snprintf(buf, len, "%.1f us", s * 1e6);
}

void skb_print_table(FILE *f, const skb_run *r)
{
	char med[24], mn[24], mx[24], ch[24], why[64];
	int noisy = 0;

	fprintf(f, "\n%-8s %9s %-7s %4s %6s %11s %11s %11s %8s %6s %10s %6s %6s\n",
	    "workload", "size", "runner", "wkrs", "chunk", "median", "min",
	    "max", "speedup", "effic", "steals/run", "steal%", "idle%");
	for (int i = 0; i < r->nresults; i++) {
		const skb_result *x = &r->results[i];
		time_str(x->median, med, sizeof med);
		time_str(x->min, mn, sizeof mn);
		time_str(x->max, mx, sizeof mx);
		fprintf(f, "%-8s %9ld %-7s %4u %6s %11s %11s %11s %7.2fx %5.0f%%",
		    x->workload, x->size, skb_runner_name(x->runner),
		    x->workers, chunk_str(x->chunk, ch, sizeof ch), med, mn,
		    mx, x->speedup, x->efficiency * 100);
		if (x->has_stats)
			fprintf(f, " %10.0f %5.1f%% %5.1f%%", x->steals,
			    x->steal_success * 100, x->idle_share * 100);
		else
			fprintf(f, " %10s %6s %6s", "-", "-", "-");
		if (x->gbps > 0)
			fprintf(f, "  %.1f GB/s", x->gbps);
		if (x->noise.noisy) {
			fprintf(f, "  %s", skb_noise_why(&x->noise, why,
			    sizeof why));
			noisy++;
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\nspeedup = serial median / median; effic = speedup / "
	    "workers; steal%% = steals / steal attempts;\nidle%% = worker "
	    "time spent looking for work or asleep.  Every answer was "
	    "checked.\n");
	if (noisy > 0)
		fprintf(f, "noisy: rerun = %d figure%s not to trust: its runs "
		    "spread over 10%% of the median, or the\nmachine was busy "
		    "(the threads waited for a CPU over 5%% of the time).\n",
		    noisy, noisy == 1 ? "" : "s");
}

static const skb_result *find(const skb_run *r, const char *wl,
    enum skb_runner rn, unsigned workers)
{
	for (int i = 0; i < r->nresults; i++) {
		const skb_result *x = &r->results[i];
		if (x->runner == rn && x->workers == workers && x->chunk < 0 &&
		    strcmp(x->workload, wl) == 0)
			return x;
	}
	return NULL;
}

void skb_print_compare(FILE *f, const skb_run *r)
{
	bool any = false;
	fprintf(f, "\n%-8s %4s %11s %11s %11s %11s %11s\n", "workload",
	    "wkrs", "skua", "openmp", "skua/omp", "tbb", "skua/tbb");
	for (int i = 0; i < r->nresults; i++) {
		const skb_result *x = &r->results[i];
		if (x->runner != SKB_SKUA || x->chunk >= 0)
			continue;
		const skb_result *o = find(r, x->workload, SKB_OPENMP,
		    x->workers);
		const skb_result *t = find(r, x->workload, SKB_TBB, x->workers);
		if (o == NULL && t == NULL)
			continue;
		char a[24], b[24], c[24];
		time_str(x->median, a, sizeof a);
		if (o != NULL)
			time_str(o->median, b, sizeof b);
		else
			snprintf(b, sizeof b, "-");
		if (t != NULL)
			time_str(t->median, c, sizeof c);
		else
			snprintf(c, sizeof c, "-");
		fprintf(f, "%-8s %4u %11s %11s", x->workload, x->workers, a, b);
		if (o != NULL)
			fprintf(f, " %10.3fx", x->median / o->median);
		else
			fprintf(f, " %11s", "-");
		fprintf(f, " %11s", c);
		if (t != NULL)
			fprintf(f, " %10.3fx", x->median / t->median);
		else
			fprintf(f, " %11s", "-");
		/* A ratio is as good as the worse of its two figures. */
		const skb_result *bad = x->noise.noisy ? x : o != NULL &&
		    o->noise.noisy ? o : t != NULL && t->noise.noisy ? t : NULL;
		if (bad != NULL) {
			char why[64];
			fprintf(f, "  %s (%s)", skb_noise_why(&bad->noise, why,
			    sizeof why), skb_runner_name(bad->runner));
		}
		fprintf(f, "\n");
		any = true;
	}
	if (!any)
		fprintf(f, "(no peer was built: configure with OpenMP (gcc "
		    "-fopenmp) or oneTBB (libtbb-dev))\n");
	else
		fprintf(f, "ratio = skua median / peer median (below 1: skua "
		    "is faster)\n");
}

void skb_print_sweep(FILE *f, const skb_run *r)
{
	char ch[24], med[24];
	fprintf(f, "\nchunk sweep (median time at each chunk size):\n");
	for (int b = 0; b < r->nbest; b++) {
		fprintf(f, "  %s %ld, %u workers:", r->best[b].workload,
		    r->best[b].size, r->best[b].workers);
		for (int i = 0; i < r->nresults; i++) {
			const skb_result *x = &r->results[i];
			if (x->chunk < 0 || strcmp(x->workload,
			    r->best[b].workload) != 0)
				continue;
			time_str(x->median, med, sizeof med);
			fprintf(f, " %s:%s", chunk_str(x->chunk, ch, sizeof ch),
			    med);
		}
		time_str(r->best[b].median, med, sizeof med);
		fprintf(f, "\n  best %s: chunk %s (%s); use:\n%s\n",
		    r->best[b].workload, chunk_str(r->best[b].chunk, ch,
		    sizeof ch), med, r->best[b].env);
	}
}

/* ---- JSON ---------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* JSON has no NaN or infinity. */
static void json_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.9g", v);
	else
		fprintf(f, "null");
}

/* , "key": value (a number; null when not finite, as json_num). */
static void json_kv(FILE *f, const char *key, double v)
{
	fprintf(f, ", \"%s\": ", key);
	json_num(f, v);
}

int skb_write_json(const char *path, const skb_run *r)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	fprintf(f, "{\n  \"tool\": \"skua-bench\",\n  \"version\": ");
	json_str(f, SKUA_VERSION_STRING);
	fprintf(f, ",\n  \"date\": ");
	json_str(f, r->date);
	fprintf(f, ",\n  \"machine\": {\"cpu\": ");
	json_str(f, r->cpu_model);
	fprintf(f, ", \"cpus\": %u, \"kernel\": ", r->cpus);
	json_str(f, r->kernel);
	fprintf(f, ", \"compiler\": ");
	json_str(f, r->compiler);
	fprintf(f, "},\n  \"repeat\": %d,\n  \"warmup\": %d,\n  \"workers\": [",
	    r->repeat, r->warmup);
	for (int i = 0; i < r->nworkers; i++)
		fprintf(f, "%s%u", i ? ", " : "", r->workers[i]);
	fprintf(f, "],\n  \"peers\": {\"openmp\": %s, \"tbb\": %s},\n",
	    skb_omp_available() ? "true" : "false",
	    skb_tbb_available() ? "true" : "false");
	fprintf(f, "  \"results\": [");
	for (int i = 0; i < r->nresults; i++) {
		const skb_result *x = &r->results[i];
		fprintf(f, "%s\n    {\"workload\": ", i ? "," : "");
		json_str(f, x->workload);
		fprintf(f, ", \"size\": %ld, \"runner\": ", x->size);
		json_str(f, skb_runner_name(x->runner));
		fprintf(f, ", \"workers\": %u, \"chunk\": ", x->workers);
		if (x->chunk < 0)
			fprintf(f, "null");
		else if (x->chunk == 0)
			fprintf(f, "\"auto\"");
		else
			fprintf(f, "%ld", x->chunk);
		fprintf(f, ", \"runs\": %d, \"median_s\": ", x->runs);
		json_num(f, x->median);
		fprintf(f, ", \"min_s\": ");
		json_num(f, x->min);
		fprintf(f, ", \"max_s\": ");
		json_num(f, x->max);
		fprintf(f, ", \"times_s\": [");
		for (int k = 0; k < x->runs; k++) {
			fprintf(f, "%s", k ? ", " : "");
			json_num(f, x->times[k]);
		}
		fprintf(f, "], \"speedup\": ");
		json_num(f, x->speedup);
		fprintf(f, ", \"efficiency\": ");
		json_num(f, x->efficiency);
		if (x->gbps > 0) {
			fprintf(f, ", \"gb_per_s\": ");
			json_num(f, x->gbps);
		}
		json_kv(f, "spread", x->noise.spread);
		json_kv(f, "busy_share", x->noise.busy >= 0 ? x->noise.busy :
		    NAN);
		fprintf(f, ", \"noisy\": %s", x->noise.noisy ? "true" :
		    "false");
		if (x->has_stats) {
			json_kv(f, "steals_per_run", x->steals);
			json_kv(f, "steal_attempts_per_run", x->steal_attempts);
			json_kv(f, "steal_success", x->steal_success);
			json_kv(f, "idle_share", x->idle_share);
		}
		fprintf(f, ", \"answer\": %ld, \"correct\": %s}", x->answer,
		    x->correct ? "true" : "false");
	}
	fprintf(f, "\n  ],\n  \"sweep_best\": [");
	for (int b = 0; b < r->nbest; b++) {
		fprintf(f, "%s\n    {\"workload\": ", b ? "," : "");
		json_str(f, r->best[b].workload);
		fprintf(f, ", \"size\": %ld, \"workers\": %u, \"chunk\": ",
		    r->best[b].size, r->best[b].workers);
		if (r->best[b].chunk == 0)
			fprintf(f, "\"auto\"");
		else
			fprintf(f, "%ld", r->best[b].chunk);
		fprintf(f, ", \"median_s\": ");
		json_num(f, r->best[b].median);
		fprintf(f, ", \"env\": ");
		json_str(f, r->best[b].env);
		fprintf(f, "}");
	}
	fprintf(f, "%s]", r->nbest ? "\n  " : "");
	if (r->report.present) {
		const skb_report *p = &r->report;
		fprintf(f, ",\n  \"report\": {\"workers\": %u, \"kernels\": [",
		    p->workers);
		for (int i = 0; i < p->nlines; i++) {
			const skb_report_line *l = &p->lines[i];
			fprintf(f, "%s\n    {\"workload\": ", i ? "," : "");
			json_str(f, l->workload);
			fprintf(f, ", \"auto\": %s", l->is_auto ? "true" :
			    "false");
			fprintf(f, ", \"size\": %ld, \"forks\": %llu", l->size,
			    (unsigned long long)l->forks);
			json_kv(f, "serial_s", l->ts);
			json_kv(f, "t1_s", l->t1);
			json_kv(f, "t2_s", l->t2);
			json_kv(f, "t1_over_ts", l->t1 / l->ts);
			json_kv(f, "t2_over_ts", l->t2 / l->ts);
			json_kv(f, "ns_per_fork", l->fork_ns);
			json_kv(f, "goal_t1_over_ts", l->goal_t1);
			json_kv(f, "goal_t2_over_ts", l->goal_t2);
			fprintf(f, ", \"noisy_t1\": %s, \"noisy_t2\": %s}",
			    l->ns.noisy || l->n1.noisy ? "true" : "false",
			    l->ns.noisy || l->n2.noisy ? "true" : "false");
		}
		fprintf(f, "\n  ],\n  \"round_trip_warm_us\": {\"median\": ");
		json_num(f, p->warm_med_us);
		fprintf(f, ", \"p99\": ");
		json_num(f, p->warm_p99_us);
		fprintf(f, "},\n  \"round_trip_parked_us\": {\"median\": ");
		json_num(f, p->park_med_us);
		fprintf(f, ", \"p99\": ");
		json_num(f, p->park_p99_us);
		fprintf(f, ", \"samples\": %d, \"parked_samples\": %d},\n"
		    "  \"os_futex_wake_us\": {\"median\": ", p->park_samples,
		    p->parked_samples);
		json_num(f, p->os_wake_med_us);
		fprintf(f, ", \"p99\": ");
		json_num(f, p->os_wake_p99_us);
		fprintf(f, "},\n  \"idle_cpu_ms_per_s\": ");
		json_num(f, p->idle_cpu_ms_per_s);
		if (p->first_t1 > 0) {
			fprintf(f, ",\n  \"first_loop\": {\"chunks\": 2");
			json_kv(f, "chunk_ms", p->first_chunk_ms);
			json_kv(f, "t1_s", p->first_t1);
			json_kv(f, "t2_fresh_s", p->first_t2);
			json_kv(f, "t2_warm_s", p->first_warm2);
			json_kv(f, "t2_over_t1", p->first_t2 / p->first_t1);
			fprintf(f, "}");
		}
		fprintf(f, "}");
	}
	fprintf(f, "\n}\n");
	if (fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

/* ---- CSV ----------------------------------------------------------- */

int skb_write_csv(const char *path, const skb_run *r)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	fprintf(f, "workload,size,runner,workers,chunk,runs,median_s,min_s,"
	    "max_s,speedup,efficiency,gb_per_s,steals_per_run,"
	    "steal_attempts_per_run,steal_success,idle_share,answer,correct\n");
	for (int i = 0; i < r->nresults; i++) {
		const skb_result *x = &r->results[i];
		char ch[24];
		if (x->chunk < 0)
			ch[0] = '\0';
		else
			chunk_str(x->chunk, ch, sizeof ch);
		fprintf(f, "%s,%ld,%s,%u,%s,%d,%.9g,%.9g,%.9g,%.6g,%.6g,",
		    x->workload, x->size, skb_runner_name(x->runner),
		    x->workers, ch, x->runs, x->median, x->min, x->max,
		    x->speedup, x->efficiency);
		if (x->gbps > 0)
			fprintf(f, "%.6g", x->gbps);
		if (x->has_stats)
			fprintf(f, ",%.6g,%.6g,%.6g,%.6g", x->steals,
			    x->steal_attempts, x->steal_success, x->idle_share);
		else
			fprintf(f, ",,,,");
		fprintf(f, ",%ld,%s\n", x->answer, x->correct ? "true" : "false");
	}
	if (fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

/* ---- SVG ----------------------------------------------------------- */

static const char *palette[] = { "#1f77b4", "#d62728", "#2ca02c",
	"#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf" };

static void svg_text(FILE *f, double x, double y, const char *anchor,
    int size, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
	    "font-size=\"%d\">", x, y, anchor, size);
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
			series++;
		}
	}
#undef SX
#undef SY
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
		    chunk_str(r->best[b].chunk, ch, sizeof ch));
		double ly = fr->y0 + 16 + 16 * b;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"%s\" stroke-width=\"2\"/>\n", fr->x0 + fr->w - 250,
		    ly - 4, fr->x0 + fr->w - 230, ly - 4, col);
		svg_text(f, fr->x0 + fr->w - 226, ly, "start", 11, label);
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
