// SPDX-License-Identifier: GPL-2.0
/*
 * The data plane side of the fuzzer: see dp.h. Connection timeouts are
 * set far beyond any run (a day), so that what happens to a flow never
 * depends on how fast frames come; the tables are emptied between epochs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>

#include "dp.h"
#include "fixture.h"
#include "lb_hints.h"

#define NS_PER_DAY (86400ull * 1000000000ull)
/* An array's mmapped elements are 8 bytes apart: a ring slot's 4, then
 * padding. */
#define RING_STRIDE 2

static int fd(struct bpf_map *m)
{
	return bpf_map__fd(m);
}

/*
 * The programs with private maps sized as xlbd sizes them, xlb_ring made
 * mmapable: a configuration's rings are then written as memory, where a
 * batch update of a ring's 65,537 slots takes 30 ms here. A writable
 * mapping needs the map not read-only to programs; they only read it, so
 * they see the same array either way.
 */
static int load(struct fz_dp *d, const struct dp_sizes *sizes)
{
	struct bpf_map *map, *ring;
	size_t len;
	int ret;

	d->skel = xlb__open();
	if (!d->skel)
		return -errno;
	bpf_object__for_each_map(map, d->skel->obj)
		bpf_map__set_pin_path(map, NULL);
	ring = d->skel->maps.xlb_ring;
	ret = dp_size_maps(d->skel, sizes) ?:
		      bpf_map__set_map_flags(ring, (bpf_map__map_flags(ring) & ~BPF_F_RDONLY_PROG) | BPF_F_MMAPABLE) ?:
		      xlb__load(d->skel);
	if (ret)
		return ret;
	len = (size_t)bpf_map__max_entries(ring) * RING_STRIDE * sizeof(__u32);
	len = (len + (size_t)getpagesize() - 1) & ~((size_t)getpagesize() - 1);
	d->ring = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd(ring),
		       0);
	if (d->ring == MAP_FAILED) {
		d->ring = NULL;
		return -errno;
	}
	d->ring_len = len;
	return 0;
}

int fz_dp_open(struct fz_dp *d, const struct fz_net *net, char *err,
	       size_t errlen)
{
	const struct dp_sizes sizes = { .max_rules = FZ_DP_MAX_RULES,
					.max_prefixes = FZ_DP_MAX_PREFIXES,
					.max_conns = FZ_DP_TABLE_ENTRIES,
					.max_syns = FZ_DP_TABLE_ENTRIES,
					.max_nat_ports = FZ_DP_TABLE_ENTRIES };
	const struct xlb_lb_conf lc = { NS_PER_DAY, NS_PER_DAY, NS_PER_DAY,
					NS_PER_DAY, NS_PER_DAY };
	struct filter_maps m;
	int ret;

	memset(d, 0, sizeof(*d));
	d->net = *net;
	d->ncpus = libbpf_num_possible_cpus();
	d->pcpu = calloc((size_t)d->ncpus * XLB_REASON_MAX,
			 sizeof(struct xlb_hook_stats));
	if (d->ncpus <= 0 || !d->pcpu)
		return -ENOMEM;
	ret = load(d, &sizes);
	if (!ret)
		ret = maps_lb_conf_set(fd(d->skel->maps.xlb_lb_conf), &lc);
	if (!ret && bpf_map_update_elem(fd(d->skel->maps.xlb_tx_ports),
					&net->tx_port, &net->tx_port, BPF_ANY))
		ret = -errno;
	if (ret) {
		snprintf(err, errlen, "loading the programs: %s",
			 strerror(-ret));
		return ret;
	}
	m = fixture_filter_maps(d->skel);
	ret = filter_open(&d->flt, &m, FZ_DP_MAX_RULES, FZ_DP_MAX_PREFIXES, err,
			  errlen);
	d->flt_open = !ret;
	return ret;
}

void fz_dp_close(struct fz_dp *d)
{
	if (d->flt_open)
		filter_close(&d->flt);
	if (d->ring)
		munmap(d->ring, d->ring_len);
	if (d->skel)
		xlb__destroy(d->skel);
	free(d->pcpu);
	memset(d, 0, sizeof(*d));
}

static int ifaces_write(struct fz_dp *d, const struct fz_config *c)
{
	static const char *const names[FZ_IF_MAX] = { "lo", "xt0", "xt1" };
	int map = fd(d->skel->maps.xlb_ifaces), ret;

	for (int i = 0; i < FZ_IF_MAX; i++) {
		const struct fz_iface_conf *ic = &c->ifs[i];
		struct xlb_iface ifc = { .slot = ic->slot,
					 .stages = ic->stages,
					 .attach = ic->attach,
					 .active = ic->on };

		strncpy(ifc.name, names[i], sizeof(ifc.name) - 1);
		ret = ic->on ? maps_iface_set(map, d->net.ifindex[i], &ifc) :
			       maps_iface_del(map, d->net.ifindex[i]);
		if (ret)
			return ret;
	}
	return 0;
}

int fz_dp_ctr(struct fz_dp *d, int map, __u32 id, struct xlb_ctr *sum)
{
	const struct xlb_ctr *per = d->pcpu;

	if (bpf_map_lookup_elem(map, &id, d->pcpu))
		return -errno;
	memset(sum, 0, sizeof(*sum));
	for (int cpu = 0; cpu < d->ncpus; cpu++) {
		sum->packets += per[cpu].packets;
		sum->bytes += per[cpu].bytes;
	}
	return 0;
}

static int filter_write(struct fz_dp *d, struct fz_config *c, char *err,
			size_t errlen)
{
	int rstats = fd(d->skel->maps.xlb_rule_stats);
	int lstats = fd(d->skel->maps.xlb_list_stats);
	int ret = filter_apply(&d->flt, c->rules, c->n_rules, c->entries,
			       c->n_entries, err, errlen);

	for (size_t i = 0; !ret && i < c->n_rules; i++) {
		c->rules[i].id = filter_rule_find(&d->flt, &c->rules[i]);
		ret = fz_dp_ctr(d, rstats, c->rules[i].id, &d->rule_base[i]);
	}
	for (size_t i = 0; !ret && i < c->n_entries; i++) {
		c->entries[i].id = filter_list_find(&d->flt, &c->entries[i]);
		ret = fz_dp_ctr(d, lstats, c->entries[i].id, &d->entry_base[i]);
	}
	return ret;
}

/* Delete every entry of a hash map. */
static int map_clear(struct bpf_map *map)
{
	size_t ks = bpf_map__key_size(map), n = 0, cap = 1024;
	char *keys = malloc(cap * ks);
	int m = fd(map), ret = 0;

	while (keys && !bpf_map_get_next_key(m, n ? keys + (n - 1) * ks : NULL,
					     keys + n * ks)) {
		if (++n == cap) {
			char *more = realloc(keys, 2 * cap * ks);

			if (!more)
				break;
			keys = more;
			cap *= 2;
		}
	}
	if (!keys || n == cap)
		ret = -ENOMEM;
	for (size_t i = 0; !ret && i < n; i++)
		bpf_map_delete_elem(m, keys + i * ks);
	free(keys);
	return ret;
}

static void ring_write(struct fz_dp *d, const struct fz_vip *v)
{
	__u32 *slot = d->ring + (size_t)v->id * XLB_RING_SIZE * RING_STRIDE;

	for (__u32 i = 0; i < XLB_RING_SIZE; i++)
		slot[i * RING_STRIDE] = v->ring_n ? v->ring[i % v->ring_n] :
						    XLB_NO_BACKEND;
}

int fz_dp_event(struct fz_dp *d, const struct fz_config *c, __u32 bi)
{
	const struct fz_backend *b = &c->backends[bi];

	if (bpf_map_update_elem(fd(d->skel->maps.xlb_backends), &b->id, &b->b,
				BPF_ANY))
		return -errno;
	ring_write(d, &c->vips[b->vip]);
	return 0;
}

/* The hints: every VIP's key and every address NAT flows leave from. */
static int hints_write(struct fz_dp *d, const struct fz_config *c,
		       struct xlb_vip_key *keys)
{
	struct lb_hint_addr snats[FZ_MAX_BACKENDS * (1 + XLB_SNAT_MAX)];
	size_t n = 0;

	for (size_t i = 0; i < c->n_vips; i++) {
		const struct fz_vip *v = &c->vips[i];

		keys[i] = v->key;
		for (__u32 j = 0; v->mode == XLB_MODE_NAT && j < v->pool.count;
		     j++) {
			memcpy(snats[n].addr, v->pool.addr[j], 16);
			snats[n++].family = v->key.family;
		}
	}
	for (size_t i = 0; i < c->n_backends; i++) {
		const struct fz_backend *b = &c->backends[i];

		if (c->vips[b->vip].mode != XLB_MODE_NAT)
			continue;
		memcpy(snats[n].addr, b->b.snat, 16);
		snats[n++].family = b->b.family;
	}
	return lb_hints_write(fd(d->skel->maps.xlb_vip_hints), keys, c->n_vips,
			      snats, n);
}

static int lb_write(struct fz_dp *d, const struct fz_config *c)
{
	struct xlb *s = d->skel;
	int ret = 0;

	for (size_t i = 0; i < d->n_keys; i++)
		bpf_map_delete_elem(fd(s->maps.xlb_vips), &d->keys[i]);
	d->n_keys = 0;
	ret = map_clear(s->maps.xlb_conns)	       ?:
		      map_clear(s->maps.xlb_syns)      ?:
		      map_clear(s->maps.xlb_nat_rev)   ?:
		      map_clear(s->maps.xlb_nat_frags) ?:
		      map_clear(s->maps.xlb_frags);
	for (size_t i = 0; !ret && i < c->n_backends; i++)
		ret = fz_dp_event(d, c, (__u32)i);
	for (size_t i = 0; !ret && i < c->n_vips; i++) {
		const struct fz_vip *v = &c->vips[i];

		ring_write(d, v);
		if (bpf_map_update_elem(fd(s->maps.xlb_snat_pools), &v->id,
					&v->pool, BPF_ANY))
			ret = -errno;
	}
	if (!ret)
		ret = hints_write(d, c, d->keys);
	for (size_t i = 0; !ret && i < c->n_vips; i++) {
		struct xlb_vip v = { .id = c->vips[i].id,
				     .mode = c->vips[i].mode };

		if (bpf_map_update_elem(fd(s->maps.xlb_vips), &c->vips[i].key,
					&v, BPF_ANY))
			ret = -errno;
		d->n_keys = i + 1;
	}
	return ret;
}

int fz_dp_apply(struct fz_dp *d, struct fz_config *c, char *err, size_t errlen)
{
	int ret = ifaces_write(d, c);

	if (ret) {
		snprintf(err, errlen, "interfaces: %s", strerror(-ret));
		return ret;
	}
	ret = filter_write(d, c, err, errlen);
	if (ret)
		return ret;
	ret = lb_write(d, c);
	if (ret)
		snprintf(err, errlen, "load balancer: %s", strerror(-ret));
	return ret;
}
