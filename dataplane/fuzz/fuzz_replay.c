// SPDX-License-Identifier: GPL-2.0
/*
 * Replaying a case through the data plane and the model, from a fresh
 * apply of its configuration (the BPF tier's test_fuzz_cases and the
 * fuzzer's own reduction use it), and cutting a case down: the last
 * frame alone if it will do, else the shortest run of steps before it
 * that does (a binary search on its start), then chunks of those dropped,
 * halves, quarters and so on, for as long as the last frame still
 * mismatches in the same way and no frame before it does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"

/* Replays that keep a chunk a reduction may spend on one case. */
#define REDUCE_TRIES 256

long fz_replay(struct fz_dp *d, struct fz_model *m, const struct fz_case *c,
	       bool skip_known, struct fz_mismatch *mm, struct fz_expect *e,
	       char *err, size_t errlen)
{
	static struct fz_config cfg;
	static struct fz_result res;
	struct fz_parse p;
	int ret;

	cfg = c->cfg;
	ret = fz_dp_apply(d, &cfg, err, errlen) ?: fz_model_reset(m, &cfg);
	for (size_t i = 0; !ret && i < c->n; i++) {
		const struct fz_step *s = &c->steps[i];

		if (s->is_event) {
			fz_conf_apply_event(&cfg, &s->ev);
			ret = fz_dp_event(d, &cfg, s->ev.backend);
			continue;
		}
		ret = fz_dp_run(d, &cfg, &s->fr, &res) ?:
			      fz_model_run(m, &s->fr, e);
		if (ret || fz_check(e, &res, mm))
			continue;
		fz_parse(s->fr.data, s->fr.len, &p);
		fz_known_note(&p, e, &res, mm, false);
		if (!skip_known || mm->known < 0)
			return (long)i;
	}
	if (ret && !err[0])
		snprintf(err, errlen, "replay: %s", strerror(-ret));
	return ret ? ret - 1 : -1;
}

/* Does the case made of the kept steps mismatch at its end, as parts? */
static bool still(struct fz_dp *d, struct fz_model *m, const struct fz_case *c,
		  const bool *keep, struct fz_case *t, unsigned int parts)
{
	bool pending = c->pending[0];
	static struct fz_expect e;
	struct fz_mismatch mm;
	char err[256] = "";

	t->cfg = c->cfg;
	t->n = 0;
	for (size_t i = 0; i < c->n; i++)
		if (keep[i] && fz_case_push(t, &c->steps[i]))
			return false;
	return fz_replay(d, m, t, !pending, &mm, &e, err, sizeof(err)) ==
		       (long)t->n - 1 &&
	       mm.parts == parts;
}

/* Drop chunks of the steps from `from` to the last, halving them. */
static void drop_chunks(struct fz_dp *d, struct fz_model *m,
			const struct fz_case *c, size_t from, bool *keep,
			bool *was, struct fz_case *t, unsigned int parts)
{
	size_t last = c->n - 1;
	int tries = 0;

	for (size_t chunk = (last - from + 1) / 2;
	     chunk && tries < REDUCE_TRIES; chunk /= 2) {
		for (size_t at = from; at < last && tries < REDUCE_TRIES;
		     at += chunk) {
			size_t n = at + chunk < last ? chunk : last - at;

			memcpy(was, keep + at, n);
			memset(keep + at, 0, n);
			if (!memchr(was, true, n) ||
			    still(d, m, c, keep, t, parts))
				continue;
			memcpy(keep + at, was, n);
			tries++;
		}
	}
}

/* The latest step from which on the steps still make the mismatch. */
static size_t suffix(struct fz_dp *d, struct fz_model *m,
		     const struct fz_case *c, bool *keep, struct fz_case *t,
		     unsigned int parts)
{
	size_t lo = 0, hi = c->n - 1, mid;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		memset(keep, 0, mid);
		memset(keep + mid, true, c->n - mid);
		if (still(d, m, c, keep, t, parts))
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

int fz_reduce(struct fz_dp *d, struct fz_model *m, struct fz_case *c,
	      unsigned int parts)
{
	bool *keep = calloc(c->n, sizeof(bool));
	bool *was = calloc(c->n, sizeof(bool));
	struct fz_case t;
	size_t n = 0, from;

	if (!keep || !was || fz_case_init(&t)) {
		free(keep);
		free(was);
		return -ENOMEM;
	}
	keep[c->n - 1] = true;
	if (!still(d, m, c, keep, &t, parts)) {
		from = suffix(d, m, c, keep, &t, parts);
		memset(keep, 0, from);
		memset(keep + from, true, c->n - from);
		drop_chunks(d, m, c, from, keep, was, &t, parts);
	}
	for (size_t i = 0; i < c->n; i++)
		if (keep[i])
			c->steps[n++] = c->steps[i];
	c->n = n;
	free(keep);
	free(was);
	fz_case_free(&t);
	return 0;
}
