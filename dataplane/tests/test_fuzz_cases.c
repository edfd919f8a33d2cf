// SPDX-License-Identifier: GPL-2.0
/*
 * BPF tier: the fuzzer's saved cases (every dataplane/tests/fuzz_cases/NAME.case,
 * or the files named on the command line), each one a test. A case is
 * replayed through the programs and the reference model as the fuzzer
 * ran it (dataplane/fuzz/: its configuration applied afresh, then its
 * frames and backend changes), and every frame must agree with the
 * model (known mismatches of dataplane/fuzz/fuzz_known.c aside, as in a
 * run); its last frame must also have the outcome the case recorded
 * (verdict, class, reasons). A `pending` case is a known mismatch a fix
 * not yet landed removes: while it still mismatches it is skipped, saying
 * why; once it agrees it fails, asking for its pending line to go.
 */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "fixture.h"
#include "harness.h"

#define CASES_DIR "dataplane/tests/fuzz_cases"

static struct fz_dp dp;
static struct fz_model model;
static struct fz_net net;
static const char *case_path;

/* The last frame's outcome, as the case recorded it. */
static void check_expect(const struct fz_case *c, const struct fz_expect *e)
{
	if (!c->has_expect)
		return;
	check(e->verdict == c->verdict && e->pclass == c->pclass &&
		      !memcmp(e->reasons, c->reasons, sizeof(c->reasons)),
	      "%s: the model no longer says what the case recorded "
	      "(verdict %s class %s): update the case or the model",
	      case_path, fz_verdict_str(e->verdict), fz_pclass_str(e->pclass));
}

static void test_case(void)
{
	static struct fz_case c;
	static struct fz_expect e;
	struct fz_mismatch mm;
	char err[512] = "";
	long at;

	if (fz_case_init(&c) ||
	    !check(!fz_case_read(case_path, &c, &net, err, sizeof(err)), "%s",
		   err))
		goto out;
	at = fz_replay(&dp, &model, &c, !c.pending[0], &mm, &e, err,
		       sizeof(err));
	if (!check(at >= -1, "%s: %s", case_path, err))
		goto out;
	if (c.pending[0] && at >= 0) {
		harness_skip("%s: pending: %s", case_path, c.pending);
		goto out;
	}
	check(!c.pending[0], "%s: agrees now: remove its pending line (%s)",
	      case_path, c.pending);
	if (!check(at < 0, "%s: step %ld mismatches:\n%s", case_path, at,
		   mm.text))
		goto out;
	check_expect(&c, &e);
out:
	fz_case_free(&c);
}

static int setup(void)
{
	char err[512] = "";
	int ret;

	ret = fixture_pin_cpu()		 ?:
		      fz_net_setup(&net) ?:
		      fz_dp_open(&dp, &net, err, sizeof(err));
	if (ret)
		return ret;
	ret = fz_model_init(&model, FZ_DP_MAX_RULES, FZ_DP_MAX_PREFIXES);
	fz_dp_model(&dp, &model);
	return ret;
}

static int is_case(const struct dirent *d)
{
	return !fnmatch("*.case", d->d_name, 0);
}

int main(int argc, char **argv)
{
	char path[PATH_MAX];
	struct dirent **names;
	int err, status, n;

	if (!harness_need_root("test_fuzz_cases", &status))
		return status;
	err = setup();
	if (err)
		return harness_setup_failed("test_fuzz_cases", "setup", err);
	for (int i = 1; i < argc; i++) {
		case_path = argv[i];
		harness_run(case_path, test_case);
	}
	n = argc > 1 ? 0 : scandir(CASES_DIR, &names, is_case, alphasort);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", CASES_DIR,
			 names[i]->d_name);
		case_path = path;
		harness_run(names[i]->d_name, test_case);
		free(names[i]);
	}
	if (n > 0)
		free(names);
	fz_model_free(&model);
	fz_dp_close(&dp);
	return harness_done();
}
