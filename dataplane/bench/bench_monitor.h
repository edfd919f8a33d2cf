/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet monitor in the benchmarks: a thread reading the xlb_monitor
 * ring as xlbd does (epoll, then consume; each event only counted) while
 * the programs run, and the events the data plane put and lost.
 */
#ifndef XLB_BENCH_MONITOR_H
#define XLB_BENCH_MONITOR_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xlb_abi.h"

/* How long the reader waits in epoll before looking at `reading`. */
#define BENCH_READER_POLL_MS 1

struct bench_reader {
	struct ring_buffer *rb;
	pthread_t thread;
	volatile bool reading;
	__u64 events;
};

static inline int bench_count_event(void *ctx, void *data, size_t size)
{
	struct bench_reader *r = ctx;

	(void)data;
	(void)size;
	r->events++;
	return 0;
}

static inline void *bench_reader_run(void *arg)
{
	struct bench_reader *r = arg;

	while (r->reading)
		ring_buffer__poll(r->rb, BENCH_READER_POLL_MS);
	ring_buffer__consume(r->rb);
	return NULL;
}

/* Start reading the ring buffer map fd; 0 or -errno. */
static inline int bench_reader_start(struct bench_reader *r, int fd)
{
	r->events = 0;
	r->reading = true;
	r->rb = ring_buffer__new(fd, bench_count_event, r, NULL);
	if (!r->rb)
		return -errno;
	if (pthread_create(&r->thread, NULL, bench_reader_run, r)) {
		ring_buffer__free(r->rb);
		return -EAGAIN;
	}
	return 0;
}

/* Stop the reader after it took what the ring holds. */
static inline void bench_reader_stop(struct bench_reader *r)
{
	r->reading = false;
	pthread_join(r->thread, NULL);
	ring_buffer__free(r->rb);
}

/* xlb_monitor_cpu (map fd) summed over CPUs: events put, and lost. */
static inline int bench_monitor_counts(int fd, __u64 *put, __u64 *lost)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xlb_monitor_cpu m[ncpu];
	__u32 zero = 0;

	*put = *lost = 0;
	if (bpf_map_lookup_elem(fd, &zero, m))
		return -errno;
	for (int c = 0; c < ncpu; c++) {
		*put += m[c].events;
		*lost += m[c].lost;
	}
	return 0;
}

#endif /* XLB_BENCH_MONITOR_H */
