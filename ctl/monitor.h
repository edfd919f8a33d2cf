/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlbd's side of the packet monitor: the clients of `xlbctl monitor`,
 * each a control socket connection handed over after its reply, and the
 * xlb_monitor ring buffer, consumed in the poll loop and relayed to each
 * client that wants the event as a JSON line (monitor_event.h). A client
 * has a bounded output buffer written without blocking: one that reads
 * too slowly loses events (counted, and told in a line of its own), never
 * stalls xlbd or the other clients. xlb_monitor_conf asks the data plane
 * for what the clients want together, and is 0 whenever none is left.
 */
#ifndef XLB_MONITOR_H
#define XLB_MONITOR_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "loader.h"

#define MON_MAX_CLIENTS 16
/* A client's output buffer: about 400 events in JSON. */
#define MON_CLIENT_BUF (256u << 10)
/* The ring buffer's epoll fd, and each client's. */
#define MON_POLLFDS (1 + MON_MAX_CLIENTS)

struct lb;
struct ring_buffer;

struct mon_client {
	int fd;
	bool all; /* every drop, and passed packets, one in sample */
	__u32 sample;
	__u64 credit; /* sampling: the kernel's sample per pass seen */
	__u64 lost; /* events not queued for it, not yet told */
	__u64 kernel_lost; /* the kernel's count, as last told */
	size_t len; /* bytes waiting in out */
	char *out; /* MON_CLIENT_BUF bytes */
};

struct monitor {
	struct xlb_dp *dp;
	struct lb *lb;
	struct ring_buffer *rb;
	struct mon_client *clients[MON_MAX_CLIENTS];
	struct xlb_monitor_conf conf; /* as written to xlb_monitor_conf */
	__u64 check_at_ns; /* the next look at the kernel's losses */
	/* The batch of events being read: how many so far, the clock's
	 * offset, and the interface named last. */
	unsigned int batch;
	__s64 real_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	__u32 name_ifindex;
	char ifname[XLB_IFNAMSIZ];
};

/*
 * Set up over the data plane's maps: xlb_monitor_conf cleared (a crashed
 * xlbd may have left it set), the events left in the ring dropped.
 * Returns 0 or -errno with err set.
 */
int monitor_open(struct monitor *m, struct xlb_dp *dp, struct lb *lb, char *err,
		 size_t errlen);
/* Close every client and clear xlb_monitor_conf. */
void monitor_close(struct monitor *m);

/* May one more client start? */
bool monitor_has_room(const struct monitor *m);
/* Take over fd as a client wanting drops, or all with sample. */
int monitor_attach(struct monitor *m, int fd, bool all, __u32 sample);

int monitor_pollfds(struct monitor *m, struct pollfd *pfds, int max);
void monitor_process(struct monitor *m, const struct pollfd *pfds, int n);
/* Milliseconds to the next look at the kernel's losses, -1: none due. */
int monitor_timeout(const struct monitor *m);

#endif /* XLB_MONITOR_H */
