// modules: crashpoint log util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of XLB_CRASHPOINT: what NAME[:N[:SIG]] parses to and which
 * values are refused, and that an armed point fires at its N-th pass
 * only (with SIGHUP blocked, the signal is seen pending, not taken).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "crashpoint.h"
#include "harness.h"
#include "log.h"

static void test_parse(void)
{
	struct crashpoint f;
	char err[128];

	check(!crashpoint_parse("rule-add", &f, err, sizeof(err)) &&
		      !strcmp(f.name, "rule-add") && f.at == 1 &&
		      f.sig == SIGKILL,
	      "a bare name: pass 1, SIGKILL");
	check(!crashpoint_parse("list-add:70000", &f, err, sizeof(err)) &&
		      f.at == 70000 && f.sig == SIGKILL,
	      "a pass");
	check(!crashpoint_parse("lb-vip:5:TERM", &f, err, sizeof(err)) &&
		      f.at == 5 && f.sig == SIGTERM,
	      "a pass and a signal");
	check(!crashpoint_parse("pin:2:HUP", &f, err, sizeof(err)) &&
		      f.sig == SIGHUP,
	      "HUP");
}

static void test_refused(void)
{
	static const char *const bad[] = {
		"",
		":3",
		"x:0",
		"x:-1",
		"x:3x",
		"x:3:USR1",
		"x:3:TERM:1",
		"x:",
		"a-point-name-far-longer-than-thirty-one-bytes",
	};
	struct crashpoint f;
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check(crashpoint_parse(bad[i], &f, err, sizeof(err)) &&
			      !strncmp(err, "XLB_CRASHPOINT", 9),
		      "'%s' refused (%s)", bad[i], err);
}

static bool hup_pending(void)
{
	sigset_t set;

	sigpending(&set);
	return sigismember(&set, SIGHUP);
}

static void test_fires_once(void)
{
	char err[128];
	sigset_t hup;

	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	sigprocmask(SIG_BLOCK, &hup, NULL);
	log_set_level(LOG_ERR);
	setenv("XLB_CRASHPOINT", "here:3:HUP", 1);
	check(!crashpoint_init(err, sizeof(err)), "armed: %s", err);
	crashpoint("here");
	crashpoint("elsewhere");
	crashpoint("here");
	check(!hup_pending(), "not before the third pass");
	crashpoint("here");
	check(hup_pending(), "at the third pass");
	setenv("XLB_CRASHPOINT", "here:0", 1);
	check(crashpoint_init(err, sizeof(err)) == -EINVAL,
	      "a bad value refused");
}

int main(void)
{
	harness_run("crashpoint: NAME[:N[:SIG]] parsed", test_parse);
	harness_run("crashpoint: malformed values refused", test_refused);
	harness_run("crashpoint: an armed point fires at its N-th pass",
		    test_fires_once);
	return harness_done();
}
