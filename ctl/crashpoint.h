/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Crash points for the crash tests, not an operator's option:
 * XLB_CRASHPOINT=NAME[:N[:SIG]] in xlbd's environment makes xlbd send itself
 * SIG (KILL, the default, TERM, INT or HUP) the N-th time (1 unless
 * given) it passes the crash point NAME, so a test can cut a start, a
 * reload or a batch at an exact place. Unset, a point costs one branch.
 * The points are listed in docs/design.md.
 */
#ifndef XLB_CRASHPOINT_H
#define XLB_CRASHPOINT_H

#include <stdbool.h>
#include <stddef.h>

#define CRASHPOINT_NAME_MAX 32

struct crashpoint {
	char name[CRASHPOINT_NAME_MAX];
	unsigned long at; /* the pass that fires, from 1 */
	int sig;
};

/* Parse "NAME[:N[:SIG]]" into f. Returns 0, or -EINVAL with err set. */
int crashpoint_parse(const char *s, struct crashpoint *f, char *err,
		     size_t errlen);

/* Arm the point XLB_CRASHPOINT names, if set. 0, or -EINVAL with err set. */
int crashpoint_init(char *err, size_t errlen);

/* Pass crash point name: the armed point fires at its N-th pass. */
void crashpoint(const char *name);

#endif /* XLB_CRASHPOINT_H */
