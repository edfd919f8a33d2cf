// SPDX-License-Identifier: GPL-2.0
/*
 * xlb_fuzz, the differential fuzzer (make fuzz): in a network namespace
 * of its own, epochs of a random configuration and random and mutated
 * frames, each run through the data plane and the reference model and
 * compared (see fuzz.h). It prints its seed first, a line per mismatch,
 * and a summary; each new kind of mismatch is saved as a case file,
 * replayable by the BPF tier (cut down to the steps that make it). Exit
 * status 1 on any mismatch that is not a known one, or a stale known one.
 *
 *   xlb_fuzz [--frames N] [--seed S] [--cases DIR]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "case.h"
#include "fixture.h"
#include "gen.h"
#include "run.h"

#define DEFAULT_FRAMES 1000000ull

static void usage(FILE *out)
{
	fprintf(out, "usage: xlb_fuzz [--frames N] [--seed S] [--cases DIR]\n"
		     "  --frames N   frames to run (1000000)\n"
		     "  --seed S     seed of the run (random)\n"
		     "  --cases DIR  where mismatches are saved "
		     "(build/fuzz/cases)\n");
}

static int parse_args(int argc, char **argv, struct fz_run *r)
{
	static const struct option opts[] = {
		{ "frames", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "cases", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned long long v;
	char *end;
	int o;

	r->frames = DEFAULT_FRAMES;
	r->cases = "build/fuzz/cases";
	if (getrandom(&r->seed, sizeof(r->seed), 0) != sizeof(r->seed))
		r->seed = (__u64)time(NULL);
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'c') {
			r->cases = optarg;
			continue;
		}
		if (o != 'n' && o != 's')
			return o == 'h' ? 1 : -EINVAL;
		errno = 0;
		v = strtoull(optarg, &end, 0);
		if (errno || end == optarg || *end)
			return -EINVAL;
		if (o == 'n')
			r->frames = v;
		else
			r->seed = v;
	}
	return optind == argc ? 0 : -EINVAL;
}

/* Without root: a failure under CI, else a skip that says so. */
static int need_root(void)
{
	if (geteuid() == 0)
		return 0;
	if (getenv("CI")) {
		fprintf(stderr, "xlb_fuzz: needs root (CI: failing)\n");
		printf("0 passed, 1 failed, 0 skipped\n");
		return 1;
	}
	fprintf(stderr, "xlb_fuzz: needs root (skipped outside CI only)\n");
	printf("0 passed, 0 failed, 1 skipped\n");
	return 0;
}

int main(int argc, char **argv)
{
	static struct fz_run r;
	char err[512] = "";
	int ret = parse_args(argc, argv, &r);

	if (ret) {
		usage(ret > 0 ? stdout : stderr);
		return ret > 0 ? 0 : 1;
	}
	if (geteuid() != 0)
		return need_root();
	printf("fuzz: seed %" PRIu64 ", %" PRIu64
	       " frames (again: make fuzz SEED=%" PRIu64 " FRAMES=%" PRIu64
	       ")\n",
	       (uint64_t)r.seed, (uint64_t)r.frames, (uint64_t)r.seed,
	       (uint64_t)r.frames);
	fflush(stdout);
	ret = fixture_pin_cpu() ?: fz_net_setup(&r.net);
	if (ret)
		snprintf(err, sizeof(err), "setup: %s", strerror(-ret));
	else
		ret = fz_run_open(&r, err, sizeof(err));
	if (!ret)
		ret = fz_run_all(&r, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "xlb_fuzz: %s\n", err);
		printf("0 passed, 1 failed, 0 skipped\n");
		return 1;
	}
	ret = fz_run_summary(&r, stdout);
	fz_run_close(&r);
	printf("%d passed, %d failed, 0 skipped\n", !ret, !!ret);
	return !!ret;
}
