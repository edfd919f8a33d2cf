/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by xlbd, xlbctl and the tests: strict number
 * parsing and monotonic time.
 */
#ifndef XLB_UTIL_H
#define XLB_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Parse all of s as a decimal integer in [min, max]; 0 or -EINVAL/-ERANGE. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Parse all of s as a positive decimal number of seconds (e.g. "0.5"). */
int parse_seconds(const char *s, double min, double max, double *out);

/* All of s in decimal, 0..max, without sign or leading zeros. */
int parse_dec(const char *s, uint64_t max, uint64_t *out);

/* Format a message into err (when there is room) and return -EINVAL. */
int errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);

/*
 * A poll() timeout in ms until deadline (a now_ns() time), rounded up:
 * 0 when it has passed, -1 (wait for ever) for UINT64_MAX.
 */
int poll_timeout_ms(uint64_t deadline_ns);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* XLB_UTIL_H */
