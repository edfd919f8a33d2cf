/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Telling systemd (Type=notify) what xlbd is doing: ready, reloading,
 * stopping, with a STATUS= line for `systemctl status`. Every call does
 * nothing when xlbd is not run by systemd (no NOTIFY_SOCKET).
 */
#ifndef XLB_NOTIFY_H
#define XLB_NOTIFY_H

/* READY=1: serving the control socket; status says what runs. */
void notify_ready(const char *status);
/* RELOADING=1 with MONOTONIC_USEC, at the start of a reload. */
void notify_reloading(void);
/* STOPPING=1, when leaving. */
void notify_stopping(void);

#endif /* XLB_NOTIFY_H */
