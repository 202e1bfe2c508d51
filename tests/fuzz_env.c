/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/fuzz_env.c - libFuzzer target for lib/env.c: skua__env_parse (every
 * kind, an unknown one, random min and max) and skua__env_site_name.
 *
 * CTest runs a bounded number of inputs (tests/fuzz_env.cmake).  To fuzz
 * longer by hand, from the repository root:
 *
 *     clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *         -fno-sanitize-recover=undefined -Ilib -Iinclude \
 *         tests/fuzz_env.c lib/env.c -o /tmp/fuzz_env
 *     mkdir -p /tmp/fuzz_env_corpus
 *     /tmp/fuzz_env -max_total_time=600 -max_len=96 /tmp/fuzz_env_corpus
 *
 * A crash leaves crash-<sha1> in the current directory; rerun it with
 * /tmp/fuzz_env crash-<sha1>.
 *
 * Input layout: byte 0 picks the kind (mod 8: the seven kinds and one
 * unknown), bytes 1-16 are min and max, the rest is the string (and, split
 * at the first '/', the prefix and site of skua__env_site_name).
 *
 * Besides the sanitizers, each call is checked against a reference: the
 * result code is one of 0, -EINVAL, -ERANGE; *out is untouched on failure
 * and within [min, max] on success (or 0 for "auto" and strings); a
 * successful UINT parse round-trips through strtoull; a site name has the
 * documented shape and fits the buffer.
 */
#include "env.h"
#include "skua/pool.h" /* SKUA_PIN_* */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(e)                                                           \
	do {                                                               \
		if (!(e)) {                                                \
			fprintf(stderr, "fuzz_env: %s:%d: %s\n", __FILE__, \
			    __LINE__, #e);                                 \
			abort();                                           \
		}                                                          \
	} while (0)

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Small ranges are more interesting than random 64-bit ones. */
static uint64_t shape(uint64_t v)
{
	switch (v & 3) {
	case 0: return v >> 2;             /* anything */
	case 1: return (v >> 2) & 0xffff;  /* small */
	case 2: return UINT64_MAX - ((v >> 2) & 0xff);
	default: return (v >> 2) & 0xf;
	}
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reference for UINT: trimmed, all digits, strtoull agrees. */
static void check_uint(const char *s, uint64_t min, uint64_t max, int rc,
    uint64_t v)
{
	while (blank(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && blank(s[n - 1]))
		n--;
	bool digits = n > 0;
	for (size_t i = 0; i < n; i++)
		digits = digits && isdigit((unsigned char)s[i]);
	if (!digits) {
		CHECK(rc == -EINVAL);
		return;
	}
	char buf[128];
	if (n >= sizeof buf)
		return;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	unsigned long long r = strtoull(buf, NULL, 10);
	if (errno == ERANGE || r < min || r > max) {
		CHECK(rc == -ERANGE);
		return;
	}
	CHECK(rc == 0 && v == r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 17 || size > 4096)
		return 0;
	enum skua__env_kind kind = (enum skua__env_kind)(data[0] % 8);
	uint64_t min = shape(get64(data + 1)), max = shape(get64(data + 9));
	size_t n = size - 17;
	char *s = malloc(n + 1); /* exact size: ASan sees any over-read */
	if (s == NULL)
		return 0;
	memcpy(s, data + 17, n);
	s[n] = '\0';

	const uint64_t sentinel = 0xA5A5A5A5A5A5A5A5ULL;
	uint64_t v = sentinel;
	int rc = skua__env_parse(kind, s, min, max, &v);
	CHECK(rc == 0 || rc == -EINVAL || rc == -ERANGE);
	if (rc != 0) {
		CHECK(v == sentinel);
	} else {
		switch (kind) {
		case SKUA__ENV_STRING:
			CHECK(v == 0);
			break;
		case SKUA__ENV_BOOL:
			CHECK(v <= 1);
			break;
		case SKUA__ENV_LEVEL:
			CHECK(v <= 2);
			break;
		case SKUA__ENV_BIND:
			CHECK(v >= SKUA_PIN_OFF && v <= SKUA_PIN_SPREAD);
			break;
		case SKUA__ENV_CHUNK:
			CHECK(v == 0 || (v >= min && v <= max));
			break;
		case SKUA__ENV_UINT:
		case SKUA__ENV_SIZE:
			CHECK(v >= min && v <= max);
			break;
		default:
			CHECK(!"an unknown kind parsed");
		}
	}
	if (kind == SKUA__ENV_UINT)
		check_uint(s, min, max, rc, v);
	if (kind > SKUA__ENV_BIND)
		CHECK(rc == -EINVAL);

	/* skua__env_site_name: prefix/site split at the first '/', a buffer
	 * of the size byte 1 says, exactly allocated. */
	char *slash = strchr(s, '/');
	const char *prefix = "SKUA_CHUNK_SIZE", *site = s;
	if (slash != NULL) {
		*slash = '\0';
		prefix = s;
		site = slash + 1;
	}
	size_t len = data[1] % 80;
	char *buf = malloc(len > 0 ? len : 1);
	if (buf != NULL) {
		bool ok = skua__env_site_name(prefix, site, buf, len);
		size_t p = strlen(prefix), k = strlen(site);
		CHECK(ok == (k > 0 && p + 1 + k + 1 <= len));
		if (ok) {
			CHECK(strlen(buf) == p + 1 + k);
			CHECK(memcmp(buf, prefix, p) == 0 && buf[p] == '_');
			for (size_t i = 0; i < k; i++) {
				char c = buf[p + 1 + i];
				CHECK(c == '_' || isdigit((unsigned char)c) ||
				    (c >= 'A' && c <= 'Z'));
			}
		}
		free(buf);
	}
	free(s);
	return 0;
}
