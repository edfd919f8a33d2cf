// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzing loop: epochs of 200 to 4,000 steps, each over a new random
 * configuration; now and then a backend changes (down, up, resolved or
 * not, another weight) between two frames. A frame that mismatches is
 * printed; the first of each kind of mismatch (what differs, the kind of
 * frame, the known mismatch it is) is saved as a case, cut down, and ends
 * its epoch, as does any mismatch that is not a known one (the data plane
 * and the model may no longer agree on its state). At an epoch's end the
 * rules' and entries' hit counters are compared.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "run.h"

#define EPOCH_MIN 200
#define EPOCH_SPAN 3800
#define EVENT_ONE_IN 150
#define PRINT_MAX 24
#define SAVE_MAX 16
#define HEX_SHOWN 96
#define SEED_MIX 0x9e3779b97f4a7c15ull

int fz_run_open(struct fz_run *r, char *err, size_t errlen)
{
	int ret;

	r->rng.s = r->seed ^ SEED_MIX;
	if (!r->rng.s)
		r->rng.s = SEED_MIX;
	ret = fz_dp_open(&r->dp, &r->net, err, errlen);
	if (ret)
		return ret;
	ret = fz_model_init(&r->model, FZ_DP_MAX_RULES, FZ_DP_MAX_PREFIXES) ?:
		      fz_case_init(&r->log);
	if (ret) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	fz_dp_model(&r->dp, &r->model);
	r->gen.rng = &r->rng;
	r->gen.model = &r->model;
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	return 0;
}

void fz_run_close(struct fz_run *r)
{
	fz_case_free(&r->log);
	fz_model_free(&r->model);
	fz_dp_close(&r->dp);
}

static void print_frame(FILE *out, const struct fz_frame *fr)
{
	fprintf(out, "  frame (%u bytes):", fr->len);
	for (__u32 i = 0; i < fr->len && i < HEX_SHOWN; i++)
		fprintf(out, "%s%02x", i % 32 ? "" : "\n    ", fr->data[i]);
	fprintf(out, "%s\n", fr->len > HEX_SHOWN ? " ..." : "");
}

static void print_mismatch(struct fz_run *r, const struct fz_frame *fr,
			   const struct fz_mismatch *mm)
{
	const char *what = mm->known >= 0 ? "KNOWN" : "MISMATCH";
	__u64 n = mm->known >= 0 ? r->st.known : r->st.mismatches;

	if (n > PRINT_MAX)
		return;
	printf("%s frame %" PRIu64 " (epoch %" PRIu64 "): %s %s, %s%s\n", what,
	       (uint64_t)r->st.frames, (uint64_t)r->st.epochs,
	       fz_hook_str(fr->hook), fz_if_str(fr->ifc), fz_kind_str(fr->kind),
	       fr->mutated ? ", mutated" : "");
	if (mm->known >= 0)
		printf("  %s\n", fz_known_name(mm->known));
	printf("%s", mm->text);
	print_frame(stdout, fr);
	if (n == PRINT_MAX)
		printf("(further %s lines not shown)\n",
		       mm->known >= 0 ? "known" : "mismatch");
}

/* The first of its kind: 1 (and remembered), or 0. */
static int new_kind(struct fz_run *r, const struct fz_frame *fr,
		    const struct fz_mismatch *mm)
{
	char sig[FZ_SIG_LEN];

	snprintf(sig, sizeof(sig), "%x:%s:%d", mm->parts, fz_kind_str(fr->kind),
		 mm->known);
	for (int i = 0; i < r->n_sigs; i++)
		if (!strcmp(r->sigs[i], sig))
			return 0;
	if (r->n_sigs == FZ_MAX_SIGS || r->st.saved == SAVE_MAX)
		return 0;
	memcpy(r->sigs[r->n_sigs++], sig, sizeof(sig));
	return 1;
}

/* Save the epoch so far as a case, cut down; its path in path. */
static int save(struct fz_run *r, const struct fz_mismatch *mm, char *path,
		size_t len)
{
	static struct fz_expect e;
	struct fz_mismatch again;
	struct fz_case c;
	char err[256] = "", head[FZ_TEXT_LEN + 256];
	int ret = fz_case_init(&c);

	for (size_t i = 0; !ret && i < r->log.n; i++)
		ret = fz_case_push(&c, &r->log.steps[i]);
	c.cfg = r->log.cfg;
	if (mm->known >= 0)
		snprintf(c.pending, sizeof(c.pending), "%s",
			 fz_known_name(mm->known));
	if (!ret)
		ret = fz_reduce(&r->dp, &r->model, &c, mm->parts);
	if (!ret && fz_replay(&r->dp, &r->model, &c, !c.pending[0], &again, &e,
			      err, sizeof(err)) == (long)c.n - 1) {
		c.has_expect = true;
		c.verdict = e.verdict;
		c.pclass = e.pclass;
		memcpy(c.reasons, e.reasons, sizeof(c.reasons));
	}
	snprintf(path, len, "%s/seed-%" PRIu64 "-frame-%" PRIu64 ".case",
		 r->cases, (uint64_t)r->seed, (uint64_t)r->st.frames);
	snprintf(head, sizeof(head),
		 "xlb_fuzz --seed %" PRIu64 ": frame %" PRIu64
		 ", cut down to %zu steps\n%s",
		 (uint64_t)r->seed, (uint64_t)r->st.frames, c.n, mm->text);
	if (!ret && mkdir(r->cases, 0755) && errno != EEXIST)
		ret = -errno;
	if (!ret)
		ret = fz_case_write(&c, path, head);
	fz_case_free(&c);
	return ret;
}

static int mismatch(struct fz_run *r, const struct fz_frame *fr,
		    const struct fz_mismatch *mm, bool *stop)
{
	char path[512];
	int ret;

	if (mm->known >= 0) {
		r->st.known++;
		r->epoch_known = true;
	} else {
		r->st.mismatches++;
		*stop = true;
	}
	print_mismatch(r, fr, mm);
	if (!new_kind(r, fr, mm))
		return 0;
	*stop = true;
	ret = save(r, mm, path, sizeof(path));
	if (ret)
		fprintf(stderr, "xlb_fuzz: saving %s: %s\n", path,
			strerror(-ret));
	else
		printf("  saved: %s\n", path);
	r->st.saved += !ret;
	return 0;
}

static void count(struct fz_run *r, const struct fz_frame *fr,
		  const struct fz_result *res)
{
	r->st.frames++;
	r->st.kinds[fr->kind]++;
	r->st.mutated += fr->mutated;
	r->st.hooks[fr->hook]++;
	if (res->verdict >= 0)
		r->st.verdicts[res->verdict]++;
}

static int step(struct fz_run *r, bool *stop)
{
	static struct fz_step s;
	static struct fz_expect e;
	static struct fz_result res;
	struct fz_mismatch mm;
	struct fz_parse p;
	int ret = 0;

	if (r->cfg.n_backends && fz_one_in(&r->rng, EVENT_ONE_IN)) {
		s.is_event = true;
		fz_conf_event(&r->cfg, &r->rng, &s.ev);
		ret = fz_dp_event(&r->dp, &r->cfg, s.ev.backend) ?:
			      fz_case_push(&r->log, &s);
		r->st.events++;
	}
	s.is_event = false;
	fz_gen_frame(&r->gen, &s.fr);
	fz_dp_fit(&s.fr);
	ret = ret ?: fz_case_push(&r->log, &s);
	if (!ret) {
		ret = fz_dp_run(&r->dp, &r->cfg, &s.fr, &res);
		if (ret)
			fprintf(stderr,
				"xlb_fuzz: running a frame of %u bytes "
				"at %s %s: %s\n",
				s.fr.len, fz_hook_str(s.fr.hook),
				fz_if_str(s.fr.ifc), strerror(-ret));
	}
	ret = ret ?: fz_model_run(&r->model, &s.fr, &e);
	if (ret)
		return ret;
	count(r, &s.fr, &res);
	fz_check(&e, &res, &mm);
	fz_parse(s.fr.data, s.fr.len, &p);
	fz_known_note(&p, &e, &res, &mm, true);
	return mm.parts ? mismatch(r, &s.fr, &mm, stop) : 0;
}

static int hits(struct fz_run *r)
{
	char msg[256];
	int ret;

	if (r->epoch_known) {
		r->st.hits_skipped++;
		return 0;
	}
	ret = fz_dp_hits(&r->dp, &r->cfg, &r->model, msg, sizeof(msg));
	if (ret <= 0)
		return ret;
	r->st.hit_mismatches++;
	printf("MISMATCH epoch %" PRIu64 " (frames up to %" PRIu64 "): %s\n",
	       (uint64_t)r->st.epochs, (uint64_t)r->st.frames, msg);
	return 0;
}

static int epoch(struct fz_run *r, char *err, size_t errlen)
{
	__u64 n = EPOCH_MIN + fz_below(&r->rng, EPOCH_SPAN);
	bool stop = false;
	int ret;

	fz_conf_random(&r->cfg, &r->rng, &r->net);
	ret = fz_dp_apply(&r->dp, &r->cfg, err, errlen);
	if (ret)
		return ret;
	ret = fz_model_reset(&r->model, &r->cfg);
	fz_gen_reset(&r->gen, &r->cfg);
	r->log.cfg = r->cfg;
	r->log.n = 0;
	r->epoch_known = false;
	r->st.epochs++;
	for (__u64 i = 0; !ret && !stop && i < n && r->st.frames < r->frames;
	     i++)
		ret = step(r, &stop);
	if (!ret && !stop)
		ret = hits(r);
	if (ret && !err[0])
		snprintf(err, errlen, "epoch %" PRIu64 ": %s",
			 (uint64_t)r->st.epochs, strerror(-ret));
	return ret;
}

int fz_run_all(struct fz_run *r, char *err, size_t errlen)
{
	int ret = 0;

	while (!ret && r->st.frames < r->frames)
		ret = epoch(r, err, errlen);
	return ret;
}

int fz_run_summary(struct fz_run *r, FILE *out)
{
	const struct fz_stats *st = &r->st;
	struct timespec t1;
	double s;
	int stale;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - r->t0.tv_sec) +
	    (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e9;
	fprintf(out,
		"fuzz: %" PRIu64 " frames in %.1f s (%.0f/s), %" PRIu64
		" epochs, %" PRIu64 " backend changes, seed %" PRIu64 "\n",
		(uint64_t)st->frames, s, s > 0 ? (double)st->frames / s : 0.0,
		(uint64_t)st->epochs, (uint64_t)st->events, (uint64_t)r->seed);
	fprintf(out, "frames  ");
	for (int k = 0; k < FZ_K_MAX; k++)
		fprintf(out, " %s %" PRIu64 ",", fz_kind_str((__u32)k),
			(uint64_t)st->kinds[k]);
	fprintf(out, " mutated %" PRIu64 "\nhooks   ", (uint64_t)st->mutated);
	for (int h = 0; h < XLB_HOOK_MAX; h++)
		fprintf(out, " %s %" PRIu64, fz_hook_str(h),
			(uint64_t)st->hooks[h]);
	fprintf(out, "\nverdicts");
	for (int v = 0; v < XLB_VERDICT_MAX; v++)
		fprintf(out, " %s %" PRIu64, fz_verdict_str(v),
			(uint64_t)st->verdicts[v]);
	fprintf(out, "\n");
	stale = fz_known_report(out);
	fprintf(out,
		"mismatches %" PRIu64 " (frames %" PRIu64
		", hit counters %" PRIu64 "); known %" PRIu64
		"; epochs with a known mismatch, hits "
		"unchecked %" PRIu64 "; cases saved %" PRIu64 "\n",
		(uint64_t)(st->mismatches + st->hit_mismatches),
		(uint64_t)st->mismatches, (uint64_t)st->hit_mismatches,
		(uint64_t)st->known, (uint64_t)st->hits_skipped,
		(uint64_t)st->saved);
	return (int)(st->mismatches + st->hit_mismatches) + stale;
}
