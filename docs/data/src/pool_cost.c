/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * docs/data/src/pool_cost.c - the time of skua_pool_create + skua_pool_destroy
 * of a 2-worker pool, 200 times (docs/optimization-guide.md, "Overhead").
 * Build: cc -O2 -std=gnu11 -I include docs/data/src/pool_cost.c \
 *            build-docs/libskua.a -ljemalloc -lpthread -o /tmp/pool_cost
 */
#include <stdio.h>
#include <time.h>
#include "skua.h"
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(void){ skua_config c; skua_config_init(&c); c.workers=2; double best=1e9, tot=0; int N=200;
 for(int i=0;i<N;i++){ double a=now(); skua_pool*p; if(skua_pool_create(&c,&p))return 1; skua_pool_destroy(p); double d=now()-a; tot+=d; if(d<best)best=d;}
 printf("create+destroy, 2 workers: mean %.1f us, min %.1f us over %d\n", tot/N*1e6, best*1e6, N); return 0;}
