/*
 * skua.h - a lock-free work-stealing task scheduler for C.
 *
 * Include this one header.  See README.md and docs/api.md.
 */
#ifndef SKUA_H
#define SKUA_H

#define SKUA_VERSION_MAJOR 0
#define SKUA_VERSION_MINOR 1
#define SKUA_VERSION_PATCH 0
#define SKUA_VERSION_STRING "0.1.0"

#include "skua/error.h"
#include "skua/pool.h"
#include "skua/task.h"
#include "skua/future.h"
#include "skua/parallel.h"
#include "skua/stats.h"
#include "skua/blocking.h"

#endif /* SKUA_H */
