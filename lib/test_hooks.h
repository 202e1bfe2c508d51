/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/test_hooks.h - every hook the library offers its tests, in one place
 * (tests include this header, not ad hoc declarations).  None is public
 * API; each is cheap enough to stay in release builds.
 */
#ifndef SKUA_TEST_HOOKS_H
#define SKUA_TEST_HOOKS_H

#include <stdbool.h>

/* lib/alloc.c: make the k-th allocation from now fail (0: never). */
void skua__test_alloc_fail_at(long k);
/* lib/alloc.c: the allocations left before the armed failure (0: none
 * armed, or it has fired), so that a test sees whether a run reached it. */
long skua__test_alloc_countdown(void);
/* lib/alloc.c: jemalloc's bytes allocated (whole process), -1 without it. */
long long skua__test_allocated(void);
/* lib/alloc.c: make the k-th pthread_create from now fail (0: never). */
void skua__test_thread_fail_at(long k);
bool skua__test_thread_should_fail(void);
/* lib/alloc.c: call fn() in the thread start that is made to fail, just
 * before it fails (NULL: none), so that a test can act inside the window
 * where the library counts the thread as started. */
void skua__test_thread_fail_hook(void (*fn)(void));
/* lib/parallel_env.c: forget the cached chunk variables, so that a test
 * can setenv() and call again.  Only while no parallel call runs. */
void skua__par_env_reset(void);
/* lib/park_spot.c: a sleeper holds to its CPU whatever its last sleep
 * lasted (true), or as the library decides (false, the default): so that
 * a loaded machine's long sleeps cannot turn the hold off in a test. */
void skua__test_park_hold_always(bool on);
/* lib/blocking.c: blocking threads retire after ms idle (0: the
 * library's 5 s), so that a test sees retiring and restarting soon. */
void skua__test_blocking_retire_ms(unsigned ms);
/* lib/channel.c: call fn(sending) in every send and receive after it
 * took its position and before it copies (NULL: none), so that a test
 * can hold a copy in progress. */
void skua__test_channel_copy_hook(void (*fn)(bool sending));

#endif /* SKUA_TEST_HOOKS_H */
