// modules: lb_hints loader config config_filter config_text rule filter filter_lists filter_state keytab maps log util
// SPDX-License-Identifier: GPL-2.0
/*
 * Memory benchmark: the kernel memory each of xlb's maps takes, with
 * its tables at xlbd's default sizes and sized for 1,048,576 flows
 * (xlb_conns and xlb_nat_rev of as many entries), and in all, with the
 * bytes each entry costs. Each figure is the map's `memlock` in
 * /proc/self/fdinfo, what the kernel charges for it. In the second
 * configuration xlb_conns and xlb_nat_rev are filled with as many flows
 * and ports, and their memlock read again: the tables are preallocated,
 * so a full table takes what an empty one does. Per-CPU maps grow with
 * the number of possible CPUs.
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
#define MAX_MAPS 64
#define NAME_MAX_LEN 32
#define MIB 1048576.0

/* The maps that are not the load balancer's: the filter's, the
 * counters', the programs' own data. Every other map is. */
static const char *const other_maps[] = {
	"xlb_ifaces",	   "xlb_hook_stats", "xlb_reasons",    "xlb_meta",
	"xlb_filter_conf", "xlb_shapes",     "xlb_rules",      "xlb_rule_bloom",
	"xlb_rule_stats",  "xlb_rule_specs", "xlb_allow4",     "xlb_allow6",
	"xlb_deny4",	   "xlb_deny6",	     "xlb_list_stats", "xlb_list_specs",
	"xlb_frags",
};

/* One configuration's maps, in the object's order. */
struct sizing {
	const char *name;
	struct dp_sizes sizes;
	bool fill; /* fill xlb_conns and xlb_nat_rev */
	int n;
	char map[MAX_MAPS][NAME_MAX_LEN];
	const char *type[MAX_MAPS];
	__u32 key[MAX_MAPS], val[MAX_MAPS], entries[MAX_MAPS];
	long long bytes[MAX_MAPS];
	long long conns_empty, conns_full, nat_empty, nat_full;
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

static bool is_lb_map(const char *name)
{
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
 * The entries the tables are filled with: flows from clients 198.19.x.y
 * (port 1024 + n / 65,536) to the VIP 198.18.0.10:80, and their NAT
 * ports towards backend 198.18.1.1 from LB addresses 198.18.2.0-15,
 * 65,536 keys each.
 */
#define CLIENT_NET 0xc6130000u
#define VIP_ADDR 0xc612000au
#define BACKEND_ADDR 0xc6120101u
#define LB_NET 0xc6120200u
#define PORT_BITS 16
#define PORT_MASK ((1u << PORT_BITS) - 1)
#define SPORT_BASE 1024

static void flow_n(__u32 n, struct xlb_flow_key *k)
{
	*k = (struct xlb_flow_key){ .sport = htons(SPORT_BASE +
						   (n >> PORT_BITS)),
				    .dport = htons(80),
				    .proto = IPPROTO_TCP,
				    .family = XLB_FAMILY_V4 };
	k->src[0] = htonl(CLIENT_NET | (n & PORT_MASK));
	k->dst[0] = htonl(VIP_ADDR);
}

/* Entry n: flow n in xlb_conns (nat false), or its NAT port. */
static void entry_n(__u32 n, bool nat, void *key, void *val)
{
	struct xlb_nat_key *nk = key;
	struct xlb_nat_val *nv = val;
	struct xlb_flow_key fk;

	flow_n(n, &fk);
	if (!nat) {
		*(struct xlb_flow_key *)key = fk;
		*(struct xlb_conn *)val =
			(struct xlb_conn){ .backend = n % BACKENDS };
		return;
	}
	*nk = (struct xlb_nat_key){ .bport = fk.dport,
				    .lport = htons(n & PORT_MASK),
				    .proto = fk.proto,
				    .family = fk.family };
	nk->backend[0] = htonl(BACKEND_ADDR);
	nk->lb[0] = htonl(LB_NET | (n >> PORT_BITS));
	*nv = (struct xlb_nat_val){ .cport = fk.sport, .vport = fk.dport };
	nv->client[0] = fk.src[0];
	nv->vip[0] = fk.dst[0];
}

/*
 * FLOWS entries into xlb_conns (nat false) or xlb_nat_rev, in batches.
 * xlb_conns has an LRU list per CPU (BPF_F_NO_COMMON_LRU), each with its
 * share of the entries, and a CPU adding a flow takes from its own: the
 * batches take turns among the CPUs, as flows spread over receive
 * queues would.
 */
static int fill(int fd, bool nat)
{
	size_t ksz = nat ? sizeof(struct xlb_nat_key) :
			   sizeof(struct xlb_flow_key);
	size_t vsz = nat ? sizeof(struct xlb_nat_val) : sizeof(struct xlb_conn);
	__u8 *keys = calloc(BATCH, ksz), *vals = calloc(BATCH, vsz);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int ret = keys && vals ? 0 : -ENOMEM;

	for (__u32 base = 0; !ret && base < FLOWS; base += BATCH) {
		__u32 count = BATCH;
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(base / BATCH % ncpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			ret = -errno;
			break;
		}
		for (__u32 i = 0; i < BATCH; i++)
			entry_n(base + i, nat, keys + i * ksz, vals + i * vsz);
		if (bpf_map_update_batch(fd, keys, vals, &count, NULL))
			ret = -errno;
	}
	free(keys);
	free(vals);
	return ret;
}

/* How many entries map fd holds (keys of ksz bytes). */
static __u32 count_entries(int fd, size_t ksz)
{
	__u8 *k = calloc(2, ksz), *next;
	__u32 n = 0;

	if (!k)
		return 0;
	next = k + ksz;
	for (void *prev = NULL; !bpf_map_get_next_key(fd, prev, next);
	     prev = k, memcpy(k, next, ksz))
		n++;
	free(k);
	return n;
}

/* Load a data plane sized as s says, fill it if asked, read its maps. */
static int measure(struct sizing *s)
{
	int conns, nat, ret;
	struct bpf_map *m;
	struct xlb *skel;

	ret = fixture_open_sizes(&skel, &s->sizes) ?: setup(skel);
	if (ret)
		return ret;
	conns = bpf_map__fd(skel->maps.xlb_conns);
	nat = bpf_map__fd(skel->maps.xlb_nat_rev);
	s->conns_empty = memlock_of(conns);
	s->nat_empty = memlock_of(nat);
	if (s->fill) {
		ret = fill(conns, false) ?: fill(nat, true);
		if (!ret &&
		    (count_entries(conns, sizeof(struct xlb_flow_key)) !=
			     FLOWS ||
		     count_entries(nat, sizeof(struct xlb_nat_key)) != FLOWS))
			ret = -ENOSPC;
	}
	s->conns_full = memlock_of(conns);
	s->nat_full = memlock_of(nat);
	s->n = 0;
	bpf_object__for_each_map(m, skel->obj) {
		if (ret || bpf_map__is_internal(m) || s->n == MAX_MAPS)
			continue;
		snprintf(s->map[s->n], sizeof(s->map[s->n]), "%s",
			 bpf_map__name(m));
		s->type[s->n] = libbpf_bpf_map_type_str(bpf_map__type(m));
		s->key[s->n] = bpf_map__key_size(m);
		s->val[s->n] = bpf_map__value_size(m);
		s->entries[s->n] = bpf_map__max_entries(m);
		s->bytes[s->n] = memlock_of(bpf_map__fd(m));
		if (s->bytes[s->n] < 0)
			ret = -EIO;
		s->n++;
	}
	xlb__destroy(skel);
	return ret;
}

static void print_row(const struct sizing *d, const struct sizing *f, int i)
{
	printf("  %-18s %-12s %4u+%-4u %8.1f %9u %9.2f %9u %9.2f\n", f->map[i],
	       f->type[i], f->key[i], f->val[i],
	       (double)f->bytes[i] / f->entries[i], d->entries[i],
	       d->bytes[i] / MIB, f->entries[i], f->bytes[i] / MIB);
}

/* One line of totals: the load balancer's maps (lb) or the others. */
static void print_total(const char *what, const struct sizing *d,
			const struct sizing *f, int lb)
{
	long long sum[2] = { 0, 0 };

	for (int i = 0; i < f->n; i++) {
		if (lb >= 0 && is_lb_map(f->map[i]) != lb)
			continue;
		sum[0] += d->bytes[i];
		sum[1] += f->bytes[i];
	}
	printf("  %-60s %9.2f %9s %9.2f\n", what, sum[0] / MIB, "",
	       sum[1] / MIB);
}

/* What filling a table did to its memory. */
static const char *prealloc(long long empty, long long full)
{
	return empty == full ? "preallocated" : "NOT preallocated: it grew";
}

static void print(const struct sizing *d, const struct sizing *f)
{
	printf("memory (memlock in fdinfo): 1 VIP, %d backends; %d possible "
	       "CPUs; B/entry at 1M flows\n",
	       BACKENDS, libbpf_num_possible_cpus());
	printf("  defaults: xlb_conns %u, xlb_syns %u, xlb_nat_rev %u; 1M "
	       "flows: %u, %u, %u, filled\n",
	       d->sizes.max_conns, d->sizes.max_syns, d->sizes.max_nat_ports,
	       f->sizes.max_conns, f->sizes.max_syns, f->sizes.max_nat_ports);
	printf("  %-18s %-12s %9s %8s %19s %19s\n", "", "", "", "",
	       "---- defaults ---", "---- 1M flows ---");
	printf("  %-18s %-12s %9s %8s %9s %9s %9s %9s\n", "map", "type",
	       "key+val", "B/entry", "entries", "MiB", "entries", "MiB");
	for (int i = 0; i < f->n; i++)
		if (is_lb_map(f->map[i]))
			print_row(d, f, i);
	print_total("load balancer maps", d, f, 1);
	print_total("other maps (filter, counters; default sizes)", d, f, 0);
	print_total("all of xlb's maps", d, f, -1);
	printf("  xlb_conns empty: %.2f MiB, with %u flows: %.2f MiB (%s)\n",
	       f->conns_empty / MIB, FLOWS, f->conns_full / MIB,
	       prealloc(f->conns_empty, f->conns_full));
	printf("  xlb_nat_rev empty: %.2f MiB, with %u ports: %.2f MiB (%s)\n",
	       f->nat_empty / MIB, FLOWS, f->nat_full / MIB,
	       prealloc(f->nat_empty, f->nat_full));
}

int main(void)
{
	static struct sizing d = { .name = "defaults" };
	static struct sizing f = { .name = "1M flows", .fill = true };
	int ret;

	log_set_level(LOG_WARNING);
	if (geteuid() != 0) {
		fprintf(stderr, "bench_mem: needs root\n");
		return 1;
	}
	dp_sizes_default(&d.sizes);
	f.sizes = d.sizes;
	f.sizes.max_conns = FLOWS;
	f.sizes.max_nat_ports = FLOWS;
	ret = measure(&d) ?: measure(&f);
	if (!ret && d.n != f.n)
		ret = -EPROTO;
	if (ret) {
		fprintf(stderr, "bench_mem: %s: %s\n",
			ret == -ENOSPC ? "filling the tables" :
					 "loading the maps",
			strerror(-ret));
		return 1;
	}
	print(&d, &f);
	return 0;
}
