/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging to stderr with syslog priorities. Each message is one line; the
 * level is set once from -v. libbpf's and libxdp's messages are routed here.
 */
#ifndef XLB_LOG_H
#define XLB_LOG_H

#include <syslog.h>

void log_set_level(int level);
int log_get_level(void);
void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Hook libbpf and libxdp printing into log_msg. */
void log_route_libs(void);

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif /* XLB_LOG_H */
