/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging to stderr with syslog priorities. Each message is one line; the
 * level is set once from -v. libbpf's and libxdp's messages are routed here.
 * Under systemd, lines carry the journal's "<N>" priority prefix instead of
 * the level name.
 */
#ifndef XLB_LOG_H
#define XLB_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Set the level, and look again whether stderr is the journal. */
void log_set_level(int level);
int log_get_level(void);
void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Does stream, a JOURNAL_STREAM value "DEV:INO", name fd's file? */
bool log_is_journal(const char *stream, int fd);

/* Hook libbpf and libxdp printing into log_msg. */
void log_route_libs(void);

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif /* XLB_LOG_H */
