/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlbctl monitor [drops|all] [sample N] [count N] [write FILE]: the
 * packet events xlbd relays from the data plane, as text lines or JSON,
 * and optionally a pcap file (cmd_monitor.c; its pure parts are in
 * monitor_text.h).
 */
#ifndef XLB_CMD_MONITOR_H
#define XLB_CMD_MONITOR_H

#include <stdbool.h>

/*
 * Parse, start the stream at socket and relay it until count packets,
 * SIGINT/SIGTERM, or its end. Returns 0 or -errno (-EINVAL for a usage
 * error), every error reported once.
 */
int monitor_run(const char *socket, bool json, int argc, char **argv);

#endif /* XLB_CMD_MONITOR_H */
