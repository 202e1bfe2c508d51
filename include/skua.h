/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua.h - a lock-free work-stealing task scheduler for C.
 *
 * Include this one header.  See README.md and docs/api.md.
 */
#ifndef SKUA_H
#define SKUA_H

#include "skua/version.h" /* SKUA_VERSION_*, skua_version() */
#include "skua/error.h"
#include "skua/pool.h"
#include "skua/task.h"
#include "skua/future.h"
#include "skua/parallel.h"
#include "skua/stats.h"
#include "skua/blocking.h"
#include "skua/imap.h"
#include "skua/autotask.h"
#include "skua/channel.h"

#endif /* SKUA_H */
