/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fuzz case: a configuration and the steps run over it (frames, and
 * changes to backends), as a text file a BPF-tier test replays
 * (dataplane/tests/test_fuzz_cases.c, from dataplane/tests/fuzz_cases/).
 * The fuzzer writes one for a mismatch it finds, cut down to the steps
 * that still make it; the last frame's expected outcome is written too.
 * A case may be `pending`: a known mismatch a fix not yet landed removes.
 */
#ifndef XLB_FUZZ_CASE_H
#define XLB_FUZZ_CASE_H

#include "dp.h"
#include "fuzz.h"
#include "model.h"

struct fz_step {
	bool is_event;
	struct fz_event ev;
	struct fz_frame fr;
};

#define FZ_PENDING_LEN 160

struct fz_case {
	struct fz_config cfg; /* as the first step found it */
	struct fz_step *steps;
	size_t n, cap;
	char pending[FZ_PENDING_LEN]; /* "": none */
	bool has_expect; /* the last frame's outcome, as the model said */
	int verdict, pclass;
	__u32 reasons[XLB_REASON_MAX];
};

int fz_case_init(struct fz_case *c);
void fz_case_free(struct fz_case *c);
int fz_case_push(struct fz_case *c, const struct fz_step *s);

/* Write c to path, `head` first as comment lines. 0 or -errno. */
int fz_case_write(const struct fz_case *c, const char *path, const char *head);
/*
 * Read a case; its backends are placed in net (interfaces, MACs) and its
 * rings made. 0, or -errno with "PATH:LINE: reason" in err.
 */
int fz_case_read(const char *path, struct fz_case *c, const struct fz_net *net,
		 char *err, size_t errlen);

/*
 * Run case c through the data plane and the model from a fresh apply of
 * its configuration: the index of the first step whose frame mismatches
 * (mm says how; *e is what the model expected of it), -1 when none does,
 * or -errno - 1 (err set). With skip_known, known mismatches (fuzz_known.c)
 * count as agreeing, as in a run.
 */
long fz_replay(struct fz_dp *d, struct fz_model *m, const struct fz_case *c,
	       bool skip_known, struct fz_mismatch *mm, struct fz_expect *e,
	       char *err, size_t errlen);

/*
 * Cut case c, whose last step is a frame that mismatches as `parts`, down
 * to the steps it still does with. 0 or -ENOMEM.
 */
int fz_reduce(struct fz_dp *d, struct fz_model *m, struct fz_case *c,
	      unsigned int parts);

#endif /* XLB_FUZZ_CASE_H */
