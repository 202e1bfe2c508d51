/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua/bits/export.h - private: SKUA_API, the mark on every public
 * declaration.  Installed, because every public header uses it; not an API.
 *
 * libskua.so is compiled with -fvisibility=hidden, so only what carries
 * SKUA_API is in its dynamic symbol table: the public skua_* functions and
 * the skua_abi_* entry points that the inline code of skua/task.h and
 * skua/bits/autotask.h calls (docs/design.md, "Exported symbols").  The
 * library's internals (skua__*) and its test hooks stay hidden, so a
 * program cannot come to depend on them and they may change in any
 * release.  libskua.a is compiled with the default visibility, as before:
 * the mark changes nothing there.
 */
#ifndef SKUA_BITS_EXPORT_H
#define SKUA_BITS_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define SKUA_API __attribute__((visibility("default")))
#else
#define SKUA_API
#endif

#endif /* SKUA_BITS_EXPORT_H */
