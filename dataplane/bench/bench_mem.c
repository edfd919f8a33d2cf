// modules: lb_hints loader config config_filter config_text rule filter filter_lists filter_state keytab maps log util
// SPDX-License-Identifier: GPL-2.0
/*
 * Memory benchmark: the kernel memory xlb's maps take with one VIP, 100
 * backends and a connection table of 1,048,576 flows, the other maps at
 * xlbd's default sizes. Each figure is the map's `memlock` in
 * /proc/self/fdinfo, what the kernel charges for it. The connection table
 * is filled with as many flows, and its memlock read again: the tables
 * are preallocated, so a full table takes what an empty one does.
 * Per-CPU maps grow with the number of possible CPUs.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "bench_util.h"
#include "fixture.h"

#define BACKENDS 100
#define FLOWS 1048576
#define BATCH 65536

/* The maps that are not the load balancer's: the filter's, the
 * counters', the programs' own data. Every other map is. */
static const char *const other_maps[] = {
	"xlb_ifaces",	   "xlb_hook_stats", "xlb_reasons",    "xlb_meta",
	"xlb_filter_conf", "xlb_shapes",     "xlb_rules",      "xlb_rule_bloom",
	"xlb_rule_stats",  "xlb_rule_specs", "xlb_allow4",     "xlb_allow6",
	"xlb_deny4",	   "xlb_deny6",	     "xlb_list_stats", "xlb_list_specs",
	"xlb_frags",
};

static long long memlock_of(int fd)
{
	char path[64], line[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static bool is_lb_map(const struct bpf_map *m)
{
	const char *name = bpf_map__name(m);

	if (bpf_map__is_internal(m))
		return false;
	for (size_t i = 0; i < sizeof(other_maps) / sizeof(other_maps[0]); i++)
		if (!strcmp(name, other_maps[i]))
			return false;
	return true;
}

static int setup(struct xlb *skel)
{
	static const __u8 mac[ETH_ALEN] = { 0x02, 0xbb, 0, 0, 0, 1 };
	struct xlb_vip_key k = bench_vip_key("198.18.0.10", 80, IPPROTO_TCP);
	struct xlb_vip v = { .id = 0, .mode = XLB_MODE_DSR };

	int ret =
		bench_put_backends(skel, 0, BACKENDS, "198.18.1.0", 1, mac, mac, NULL, 0) ?:
			bench_put_ring(skel, 0, 0, BACKENDS) ?:
			lb_hints_write(bpf_map__fd(skel->maps.xlb_vip_hints),
				       &k, 1, NULL, 0);

	if (!ret && bpf_map_update_elem(bpf_map__fd(skel->maps.xlb_vips), &k,
					&v, BPF_ANY))
		ret = -errno;
	return ret;
}

/*
 * FLOWS established flows to the VIP, in batches. The table has an LRU
 * list per CPU (BPF_F_NO_COMMON_LRU), each with its share of the entries,
 * and a CPU adding a flow takes from its own: the batches take turns
 * among the CPUs, as flows spread over receive queues would.
 */
static int fill_conns(struct xlb *skel)
{
	struct xlb_flow_key *keys = calloc(BATCH, sizeof(*keys));
	struct xlb_conn *vals = calloc(BATCH, sizeof(*vals));
	int fd = bpf_map__fd(skel->maps.xlb_conns), ret = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	for (__u32 base = 0; keys && vals && !ret && base < FLOWS;
	     base += BATCH) {
		__u32 count = BATCH;
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(base / BATCH % ncpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			ret = -errno;
			break;
		}

		for (__u32 i = 0; i < BATCH; i++) {
			__u32 n = base + i;

			keys[i] = (struct xlb_flow_key){
				.sport = htons(1024 + (n >> 16)),
				.dport = htons(80),
				.proto = IPPROTO_TCP,
				.family = XLB_FAMILY_V4,
			};
			keys[i].src[0] = htonl(0xc6130000 | (n & 0xffff));
			keys[i].dst[0] = htonl(0xc612000a);
			vals[i] = (struct xlb_conn){ .backend = n % BACKENDS };
		}
		if (bpf_map_update_batch(fd, keys, vals, &count, NULL))
			ret = -errno;
	}
	if (!keys || !vals)
		ret = -ENOMEM;
	free(keys);
	free(vals);
	return ret;
}

static __u32 count_conns(struct xlb *skel)
{
	struct xlb_flow_key k, next;
	int fd = bpf_map__fd(skel->maps.xlb_conns);
	__u32 n = 0;

	for (void *prev = NULL; !bpf_map_get_next_key(fd, prev, &next);
	     prev = &k, k = next)
		n++;
	return n;
}

static void print_map(const struct bpf_map *m, long long bytes)
{
	printf("  %-18s %-14s %9u  %3u+%-4u %10.2f\n", bpf_map__name(m),
	       libbpf_bpf_map_type_str(bpf_map__type(m)),
	       bpf_map__max_entries(m), bpf_map__key_size(m),
	       bpf_map__value_size(m), bytes / 1048576.0);
}

int main(void)
{
	long long lb = 0, other = 0, empty, full;
	struct bpf_map *m;
	struct xlb *skel;
	int ret;

	log_set_level(LOG_WARNING);
	if (geteuid() != 0) {
		fprintf(stderr, "bench_mem: needs root\n");
		return 1;
	}
	ret = fixture_open(&skel, XLB_DEFAULT_MAX_RULES,
			   XLB_DEFAULT_MAX_PREFIXES, FLOWS);
	if (!ret)
		ret = setup(skel);
	if (ret) {
		fprintf(stderr, "bench_mem: setup: %s\n", strerror(-ret));
		return 1;
	}
	empty = memlock_of(bpf_map__fd(skel->maps.xlb_conns));
	ret = fill_conns(skel);
	if (ret) {
		fprintf(stderr, "bench_mem: filling xlb_conns: %s\n",
			strerror(-ret));
		return 1;
	}
	full = memlock_of(bpf_map__fd(skel->maps.xlb_conns));
	printf("memory (memlock in fdinfo): 1 VIP, %d backends, %u flows in "
	       "xlb_conns; %d possible CPUs\n",
	       BACKENDS, count_conns(skel), libbpf_num_possible_cpus());
	printf("  %-18s %-14s %9s  %8s %10s\n", "map", "type", "entries",
	       "key+val", "MiB");
	bpf_object__for_each_map(m, skel->obj) {
		long long bytes = memlock_of(bpf_map__fd(m));

		if (bytes < 0) {
			fprintf(stderr, "bench_mem: no memlock for %s\n",
				bpf_map__name(m));
			return 1;
		}
		if (!is_lb_map(m)) {
			other += bytes;
			continue;
		}
		lb += bytes;
		print_map(m, bytes);
	}
	printf("  %-48s %10.2f\n", "load balancer maps", lb / 1048576.0);
	printf("  %-48s %10.2f\n",
	       "other maps (filter, counters; default sizes)",
	       other / 1048576.0);
	printf("  %-48s %10.2f\n", "all of xlb's maps",
	       (lb + other) / 1048576.0);
	printf("  xlb_conns empty: %.2f MiB, with %u flows: %.2f MiB "
	       "(preallocated)\n",
	       empty / 1048576.0, FLOWS, full / 1048576.0);
	xlb__destroy(skel);
	return 0;
}
