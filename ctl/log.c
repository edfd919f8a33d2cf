// SPDX-License-Identifier: GPL-2.0
/*
 * Logging to stderr: one line per message, prefixed with the journald
 * priority marker "<N>" when stderr is the journal (systemd's
 * JOURNAL_STREAM names stderr's device and inode), otherwise with the
 * level name. libbpf and libxdp are routed here so their output obeys -v.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "log.h"

static int log_level = LOG_INFO;
/* Is stderr the journal? -1: not yet looked at. */
static int log_journal = -1;

static const char *const prio_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert",  [LOG_CRIT] = "crit",
	[LOG_ERR] = "error",   [LOG_WARNING] = "warn", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
};

bool log_is_journal(const char *stream, int fd)
{
	unsigned long long dev, ino;
	struct stat st;
	int end = 0;

	if (!stream || sscanf(stream, "%llu:%llu%n", &dev, &ino, &end) != 2 ||
	    stream[end] || fstat(fd, &st))
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_set_level(int level)
{
	log_level = level;
	log_journal = log_is_journal(getenv("JOURNAL_STREAM"), STDERR_FILENO);
}

int log_get_level(void)
{
	return log_level;
}

static void log_vmsg(int prio, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n;

	if (prio > log_level)
		return;
	if (log_journal < 0)
		log_journal =
			log_is_journal(getenv("JOURNAL_STREAM"), STDERR_FILENO);
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	if (log_journal)
		fprintf(stderr, "<%d>%s\n", prio, line);
	else
		fprintf(stderr, "xlbd: %s: %s\n",
			prio <= LOG_DEBUG ? prio_names[prio] : "trace", line);
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, fmt, ap);
	va_end(ap);
}

/*
 * libbpf and libxdp warn about conditions xlb expects and handles itself
 * (an existing clsact, the dispatcher's EPERM on kernels where it cannot
 * load, a missing filter when checking for one); xlb reports real errors
 * once, with context. So both libraries only speak with -v (and their
 * debug output with -vv).
 */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	log_vmsg(level == LIBBPF_DEBUG ? LOG_DEBUG + 1 : LOG_DEBUG, fmt, ap);
	return 0;
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt,
			va_list ap)
{
	log_vmsg(level == LIBXDP_DEBUG ? LOG_DEBUG + 1 : LOG_DEBUG, fmt, ap);
	return 0;
}

void log_route_libs(void)
{
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}
