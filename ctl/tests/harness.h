/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal test harness shared by the unit and BPF tiers: checks record a
 * failure with its location and go on; harness_done() prints the closing
 * "N passed, N failed, N skipped" line and returns the exit status.
 * A test is one call of harness_run(); a skip must say why.
 */
#ifndef XLB_HARNESS_H
#define XLB_HARNESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct harness {
	int passed, failed, skipped;
	bool cur_failed; /* the running test has failed a check */
	bool cur_skipped;
	const char *cur_name;
};

static struct harness harness;

static inline void harness_vfail(const char *file, int line, const char *fmt,
				 va_list ap)
{
	fprintf(stderr, "  %s:%d: ", file, line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	harness.cur_failed = true;
}

/* Record a failed check unless cond holds; returns cond. */
static inline bool harness_check(bool cond, const char *file, int line,
				 const char *fmt, ...)
{
	va_list ap;

	if (cond)
		return true;
	va_start(ap, fmt);
	harness_vfail(file, line, fmt, ap);
	va_end(ap);
	return false;
}

#define check(cond, ...) harness_check((cond), __FILE__, __LINE__, __VA_ARGS__)

/* Mark the running test skipped, with the reason. */
static inline void harness_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "  skip: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	harness.cur_skipped = true;
}

static inline void harness_run(const char *name, void (*fn)(void))
{
	harness.cur_name = name;
	harness.cur_failed = false;
	harness.cur_skipped = false;
	fn();
	if (harness.cur_failed) {
		harness.failed++;
		printf("FAIL %s\n", name);
	} else if (harness.cur_skipped) {
		harness.skipped++;
		printf("SKIP %s\n", name);
	} else {
		harness.passed++;
		printf("ok   %s\n", name);
	}
	fflush(stdout);
}

/*
 * For tests that need root: true when the test may go on. Without root
 * it fails loudly under CI (CI=true) and is skipped, saying so, elsewhere;
 * *status is then what main should return.
 */
static inline bool harness_need_root(const char *prog, int *status)
{
	if (geteuid() == 0)
		return true;
	if (getenv("CI")) {
		fprintf(stderr, "%s: needs root (CI: failing, not skipping)\n",
			prog);
		printf("0 passed, 1 failed, 0 skipped\n");
		*status = 1;
		return false;
	}
	harness_skip("%s needs root (skipped outside CI only)", prog);
	printf("0 passed, 0 failed, 1 skipped\n");
	*status = 0;
	return false;
}

/* The test could not even be set up: one failure, and the reason. */
static inline int harness_setup_failed(const char *prog, const char *what,
				       int err)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(-err));
	printf("0 passed, 1 failed, 0 skipped\n");
	return 1;
}

/* A named test, for tables run with harness_run_table(). */
struct harness_test {
	const char *name;
	void (*fn)(void);
};

static inline void harness_run_table(const struct harness_test *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		harness_run(t[i].name, t[i].fn);
}

static inline int harness_done(void)
{
	printf("%d passed, %d failed, %d skipped\n", harness.passed,
	       harness.failed, harness.skipped);
	return harness.failed ? 1 : 0;
}

#endif /* XLB_HARNESS_H */
