// SPDX-License-Identifier: GPL-2.0
/*
 * XLB_CRASHPOINT: one crash point armed from the environment, counted on each
 * pass and fired with a signal to xlbd itself at the pass asked for. A
 * SIGKILL stops xlbd right there, as a crash would; a blocked SIGTERM or
 * SIGHUP waits for the daemon's loop, as one sent from outside would.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crashpoint.h"
#include "log.h"
#include "util.h"

static const struct {
	const char *name;
	int sig;
} crashpoint_sigs[] = {
	{ "KILL", SIGKILL },
	{ "TERM", SIGTERM },
	{ "INT", SIGINT },
	{ "HUP", SIGHUP },
};

static struct crashpoint armed;
static bool is_armed;
static unsigned long passes;

static int parse_sig(const char *s, int *sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(crashpoint_sigs); i++) {
		if (!strcmp(s, crashpoint_sigs[i].name)) {
			*sig = crashpoint_sigs[i].sig;
			return 0;
		}
	}
	return -EINVAL;
}

int crashpoint_parse(const char *s, struct crashpoint *f, char *err,
		     size_t errlen)
{
	char buf[CRASHPOINT_NAME_MAX + 48];
	char *count, *sig;
	uint64_t n = 1;

	memset(f, 0, sizeof(*f));
	f->sig = SIGKILL;
	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return errf(err, errlen, "XLB_CRASHPOINT '%s': too long", s);
	count = strchr(buf, ':');
	if (count)
		*count++ = '\0';
	sig = count ? strchr(count, ':') : NULL;
	if (sig)
		*sig++ = '\0';
	if (!buf[0] || strlen(buf) >= CRASHPOINT_NAME_MAX)
		return errf(err, errlen, "XLB_CRASHPOINT '%s': no point name",
			    s);
	if (count && parse_u64(count, 1, UINT32_MAX, &n))
		return errf(err, errlen,
			    "XLB_CRASHPOINT '%s': the pass must be 1 or more",
			    s);
	if (sig && parse_sig(sig, &f->sig))
		return errf(
			err, errlen,
			"XLB_CRASHPOINT '%s': the signal is KILL, TERM, INT "
			"or HUP",
			s);
	strcpy(f->name, buf);
	f->at = n;
	return 0;
}

int crashpoint_init(char *err, size_t errlen)
{
	const char *s = getenv("XLB_CRASHPOINT");
	int ret;

	if (!s || !*s)
		return 0;
	ret = crashpoint_parse(s, &armed, err, errlen);
	if (ret)
		return ret;
	is_armed = true;
	log_warn("XLB_CRASHPOINT: signal %d at pass %lu of crash point %s",
		 armed.sig, armed.at, armed.name);
	return 0;
}

void crashpoint(const char *name)
{
	if (!is_armed || strcmp(name, armed.name) || ++passes != armed.at)
		return;
	log_warn("crash point %s, pass %lu: signal %d", name, passes,
		 armed.sig);
	kill(getpid(), armed.sig);
}
