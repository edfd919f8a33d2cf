// modules: log util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the log module: recognising the journal from
 * JOURNAL_STREAM (stderr's "DEV:INO"), the "<N>" priority prefixes it
 * gets, the level names otherwise, and the -v levels (no privileges).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "log.h"
#include "util.h"

static char tmp_path[] = "/tmp/xlb-test-log.XXXXXX";

/* "DEV:INO" of fd, as systemd puts it in JOURNAL_STREAM. */
static void stream_of(int fd, char *buf, size_t len, long long ino_delta)
{
	struct stat st;

	fstat(fd, &st);
	snprintf(buf, len, "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)(st.st_ino + ino_delta));
}

static void test_is_journal(void)
{
	int fd = mkstemp(tmp_path);
	char s[64], junk[80];

	if (!check(fd >= 0, "mkstemp"))
		return;
	stream_of(fd, s, sizeof(s), 0);
	check(log_is_journal(s, fd), "%s names the file", s);
	stream_of(fd, s, sizeof(s), 1);
	check(!log_is_journal(s, fd), "%s: another inode", s);
	stream_of(fd, s, sizeof(s), 0);
	snprintf(junk, sizeof(junk), "%sx", s);
	check(!log_is_journal(junk, fd), "%s: trailing junk", junk);
	check(!log_is_journal(NULL, fd), "unset");
	check(!log_is_journal("", fd), "empty");
	check(!log_is_journal("8:", fd), "no inode");
	check(!log_is_journal("journal", fd), "not numbers");
	check(!log_is_journal(s, -1), "bad fd");
	close(fd);
	unlink(tmp_path);
}

/*
 * Log a few lines at level with stderr sent to a file; journal: whether
 * JOURNAL_STREAM names that file. Returns what was written (static).
 */
static const char *logged(int level, bool journal)
{
	static char out[512];
	char path[] = "/tmp/xlb-test-log.XXXXXX", s[64];
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	ssize_t n;

	out[0] = '\0';
	if (fd < 0 || saved < 0)
		return out;
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	stream_of(fd, s, sizeof(s), journal ? 0 : 1);
	setenv("JOURNAL_STREAM", s, 1);
	log_set_level(level);
	log_err("e %d", 1);
	log_warn("w");
	log_info("i\n");
	log_debug("d");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	unsetenv("JOURNAL_STREAM");
	log_set_level(LOG_WARNING);
	n = pread(fd, out, sizeof(out) - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return out;
}

static void test_journal_prefixes(void)
{
	const char *out = logged(LOG_INFO, true);

	check(!strcmp(out, "<3>e 1\n<4>w\n<6>i\n"), "journal lines: '%s'", out);
	out = logged(LOG_DEBUG, true);
	check(!strcmp(out, "<3>e 1\n<4>w\n<6>i\n<7>d\n"), "with -v: '%s'", out);
}

static void test_plain_prefixes(void)
{
	const char *out = logged(LOG_INFO, false);

	check(!strcmp(out, "xlbd: error: e 1\nxlbd: warn: w\nxlbd: info: i\n"),
	      "plain lines: '%s'", out);
	out = logged(LOG_WARNING, false);
	check(!strcmp(out, "xlbd: error: e 1\nxlbd: warn: w\n"),
	      "quieter: '%s'", out);
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "JOURNAL_STREAM matches stderr", test_is_journal },
		{ "journal priority prefixes", test_journal_prefixes },
		{ "level names without the journal", test_plain_prefixes },
	};

	harness_run_table(tests, ARRAY_SIZE(tests));
	return harness_done();
}
