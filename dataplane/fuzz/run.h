/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fuzzing run (fuzz_loop.c): its options, the data plane and the model
 * it compares, the epoch in progress (its configuration, and its steps,
 * kept to save a case from), and what it counted.
 */
#ifndef XLB_FUZZ_RUN_H
#define XLB_FUZZ_RUN_H

#include <time.h>

#include "case.h"
#include "gen.h"

#define FZ_MAX_SIGS 64
#define FZ_SIG_LEN 48

struct fz_stats {
	__u64 frames, epochs, events, mutated;
	__u64 kinds[FZ_K_MAX];
	__u64 hooks[XLB_HOOK_MAX];
	__u64 verdicts[XLB_VERDICT_MAX];
	__u64 mismatches, known, hit_mismatches, hits_skipped, saved;
};

struct fz_run {
	__u64 seed, frames;
	const char *cases;
	struct fz_rng rng;
	struct fz_net net;
	struct fz_dp dp;
	struct fz_model model;
	struct fz_gen gen;
	struct fz_config cfg;
	struct fz_case log; /* the epoch so far: its first config, steps */
	bool epoch_known; /* a known mismatch in this epoch: skip its hits */
	struct fz_stats st;
	char sigs[FZ_MAX_SIGS][FZ_SIG_LEN]; /* kinds of mismatch saved */
	int n_sigs;
	struct timespec t0;
};

int fz_run_open(struct fz_run *r, char *err, size_t errlen);
void fz_run_close(struct fz_run *r);
/* Run r->frames frames; 0, or -errno with err set (not a mismatch). */
int fz_run_all(struct fz_run *r, char *err, size_t errlen);
/* Print the summary; the number of failures (mismatches, stale knowns). */
int fz_run_summary(struct fz_run *r, FILE *out);

#endif /* XLB_FUZZ_RUN_H */
