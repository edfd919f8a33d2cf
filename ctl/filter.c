// SPDX-License-Identifier: GPL-2.0
/*
 * Rules: each rule is keyed in xlb_rules by its shape and masked fields;
 * shapes are listed per direction and family in xlb_shapes, sorted by the
 * lowest order they hold so the data plane can stop early. Two rules with
 * the same key (same match, different orders) share one map entry, held
 * by the lower order; the other is "shadowed" and takes over when the
 * holder goes. The lists live in filter_lists.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "crashpoint.h"
#include "filter.h"
#include "filter_int.h"
#include "log.h"
#include "util.h"
#include "xlb_hash.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)

static const char *const family_names[] = { "IPv4", "IPv6" };

void prefix_mask(unsigned int plen, __be32 mask[4])
{
	for (int i = 0; i < 4; i++) {
		int bits = (int)plen - 32 * i;

		if (bits >= 32)
			mask[i] = 0xffffffff;
		else if (bits <= 0)
			mask[i] = 0;
		else
			mask[i] = htonl(~0u << (32 - bits));
	}
}

int percpu_zero(int fd, __u32 id, size_t size)
{
	int cpus = libbpf_num_possible_cpus();
	void *zero;
	int ret = 0;

	if (cpus <= 0)
		return cpus ? cpus : -EINVAL;
	zero = calloc(cpus, size);
	if (!zero)
		return -ENOMEM;
	if (bpf_map_update_elem(fd, &id, zero, BPF_ANY))
		ret = -errno;
	free(zero);
	return ret;
}

/* The families a rule is installed in: [*lo, *hi). */
void rule_families(int family, int *lo, int *hi)
{
	*lo = family == XLB_FAMILY_MAX ? 0 : family;
	*hi = family == XLB_FAMILY_MAX ? XLB_FAMILY_MAX : family + 1;
}

void rule_key(const struct filter_shape *s, const struct xlb_rule *r,
	      struct xlb_rule_key *k)
{
	__be32 mask[4], addr[4];

	memset(k, 0, sizeof(*k));
	k->shape = s->id;
	if (r->fields & XLB_FIELD_PROTO)
		k->proto = r->proto;
	if (r->fields & XLB_FIELD_SPORT)
		k->sport = htons(r->sport);
	if (r->fields & XLB_FIELD_DPORT)
		k->dport = htons(r->dport);
	if (r->fields & XLB_FIELD_SRC) {
		prefix_mask(s->src_plen, mask);
		memcpy(addr, r->src.addr, sizeof(addr));
		for (int i = 0; i < 4; i++)
			k->src[i] = addr[i] & mask[i];
	}
	if (r->fields & XLB_FIELD_DST) {
		prefix_mask(s->dst_plen, mask);
		memcpy(addr, r->dst.addr, sizeof(addr));
		for (int i = 0; i < 4; i++)
			k->dst[i] = addr[i] & mask[i];
	}
}

bool shape_fits(const struct filter_shape *s, const struct xlb_rule *r)
{
	return s->fields == r->fields &&
	       s->src_plen == (r->fields & XLB_FIELD_SRC ? r->src.plen : 0) &&
	       s->dst_plen == (r->fields & XLB_FIELD_DST ? r->dst.plen : 0);
}

struct filter_shape *shape_find(struct filter *f, int dir, int fam,
				const struct xlb_rule *r)
{
	for (__u32 i = 0; i < f->nshapes[dir][fam]; i++)
		if (shape_fits(&f->shapes[dir][fam][i], r))
			return &f->shapes[dir][fam][i];
	return NULL;
}

/*
 * A reader may still walk the generation it read when the switch
 * happened; xlbd writes that generation again only after this long, far
 * more than any program run.
 */
#define SHAPES_GRACE_NS 5000000ull

/*
 * Publish the shape lists: write all four into the generation not in use,
 * then switch xlb_filter_conf to it. Readers see the old lists or the new
 * ones, never a list being written.
 */
int shapes_publish(struct filter *f)
{
	__u32 next = f->shape_gen ^ 1;
	__u64 since = now_ns() - f->gen_switched_ns;
	int ret;

	if (f->gen_switched_ns && since < SHAPES_GRACE_NS)
		usleep((SHAPES_GRACE_NS - since) / 1000 + 1);
	for (int dir = 0; dir < XLB_DIR_MAX; dir++) {
		for (int fam = 0; fam < XLB_FAMILY_MAX; fam++) {
			struct xlb_shape_list sl = {};
			__u32 key = next * XLB_DIR_MAX * XLB_FAMILY_MAX +
				    dir * XLB_FAMILY_MAX + fam;

			for (__u32 i = 0; i < f->nshapes[dir][fam]; i++) {
				const struct filter_shape *s =
					&f->shapes[dir][fam][i];
				struct xlb_shape *d = &sl.shapes[sl.count++];

				d->id = s->id;
				d->fields = s->fields;
				d->src_plen = s->src_plen;
				d->dst_plen = s->dst_plen;
				prefix_mask(s->src_plen, d->src_mask);
				prefix_mask(s->dst_plen, d->dst_mask);
			}
			if (bpf_map_update_elem(f->m.shapes, &key, &sl,
						BPF_ANY))
				return -errno;
		}
	}
	f->shape_gen = next;
	ret = filter_conf_write(f);
	f->gen_switched_ns = now_ns();
	return ret;
}

/* Count a key's two counters up or down; a saturated counter sticks. */
void bloom_count(__u8 *bloom, const struct xlb_rule_key *k, int fam, int delta)
{
	__u32 h = xlb_rule_key_hash(k, fam);
	__u8 *line = &bloom[xlb_bloom_line_of(h) * XLB_BLOOM_LINE];

	for (int i = 0; i < 2; i++) {
		__u8 *c = &line[xlb_bloom_pos(h, i)];

		if (*c != 255 && !(delta < 0 && *c == 0))
			*c += delta;
	}
}

int bloom_add(struct filter *f, const struct xlb_rule_key *k, int fam,
	      int delta)
{
	__u32 line = xlb_bloom_line_of(xlb_rule_key_hash(k, fam));

	bloom_count(f->bloom, k, fam, delta);
	return bpf_map_update_elem(f->m.bloom, &line,
				   &f->bloom[line * XLB_BLOOM_LINE], BPF_ANY) ?
		       -errno :
		       0;
}

int key_write(struct filter *f, const struct xlb_rule_key *k,
	      const struct xlb_rule *r)
{
	struct xlb_rule_val v = { .id = r->id,
				  .order = r->order,
				  .action = r->action };

	return bpf_map_update_elem(f->m.rules, k, &v, BPF_ANY) ? -errno : 0;
}

static int spec_write(struct filter *f, const struct xlb_rule *r, int family)
{
	struct xlb_rule_spec s;

	rule_spec_of(r, family, &s);
	return bpf_map_update_elem(f->m.rule_specs, &r->id, &s, BPF_ANY) ?
		       -errno :
		       0;
}

/* Make sure every family of the rule has (or can have) its shape. */
static int shapes_reserve(struct filter *f, const struct xlb_rule *r,
			  int family, char *err, size_t errlen)
{
	int lo, hi;

	rule_families(family, &lo, &hi);
	for (int fam = lo; fam < hi; fam++) {
		if (shape_find(f, r->dir, fam, r) ||
		    f->nshapes[r->dir][fam] < XLB_MAX_SHAPES)
			continue;
		ERRF("too many rule shapes for %s %s (at most %d: fields and "
		     "prefix lengths in use)",
		     xlb_dir_str(r->dir), family_names[fam], XLB_MAX_SHAPES);
		return -ENOSPC;
	}
	return 0;
}

/*
 * Ids are handed out round robin from f->next_rule, as the load
 * balancer's are: an id just freed is the last to be given again, so a
 * batch undone finds the ids (and hit counters) of the rules it deleted
 * untouched, and the search stays linear overall.
 */
static __u32 alloc_rule_id(struct filter *f)
{
	__u32 from = f->next_rule > 0 ? f->next_rule : 1;

	for (__u32 i = 0; i < f->max_rules; i++) {
		__u32 id = (from - 1 + i) % f->max_rules + 1;

		if (!f->rules[id].in_use) {
			f->next_rule = id + 1;
			return id;
		}
	}
	return 0;
}

/* A new shape for r in dir/fam (room was checked by shapes_reserve). */
struct filter_shape *shape_new(struct filter *f, int dir, int fam,
			       const struct xlb_rule *r)
{
	struct filter_shape *s = &f->shapes[dir][fam][f->nshapes[dir][fam]++];

	*s = (struct filter_shape){
		.id = f->next_shape_id++,
		.fields = r->fields,
		.src_plen = r->fields & XLB_FIELD_SRC ? r->src.plen : 0,
		.dst_plen = r->fields & XLB_FIELD_DST ? r->dst.plen : 0,
	};
	return s;
}

/*
 * Install a rule into one family's maps. A new key is counted in the
 * counting filter before it is written, a new shape is published after,
 * so a packet never misses a rule that is in place.
 */
static int install(struct filter *f, struct filter_rule *fr, int fam)
{
	struct xlb_rule *r = &fr->r;
	struct filter_shape *s = shape_find(f, r->dir, fam, r);
	struct xlb_rule_key k;
	struct xlb_rule_val cur;
	bool new_shape = !s;
	int ret;

	if (new_shape)
		s = shape_new(f, r->dir, fam, r);
	s->nrules++;
	rule_key(s, r, &k);
	if (!bpf_map_lookup_elem(f->m.rules, &k, &cur)) {
		f->shadowed++;
		ret = cur.order < r->order ? 0 : key_write(f, &k, r);
	} else {
		ret = bloom_add(f, &k, fam, 1);
		if (!ret)
			ret = key_write(f, &k, r);
	}
	if (!ret && new_shape)
		ret = shapes_publish(f);
	return ret;
}

/*
 * The spec first, then the keys: a daemon that dies in between leaves a
 * spec whose keys the restore writes (filter_reconcile.c), never a key
 * without a rule. The hit counter is zeroed for a new rule, kept for one
 * put back (a batch undone).
 */
int rule_insert(struct filter *f, struct xlb_rule *r, int family, __u32 id,
		bool zero)
{
	struct filter_rule *fr = &f->rules[id];
	int lo, hi, ret = 0;

	r->id = id;
	*fr = (struct filter_rule){ .in_use = true, .family = family, .r = *r };
	if (zero)
		ret = percpu_zero(f->m.rule_stats, id, sizeof(struct xlb_ctr));
	if (!ret)
		ret = spec_write(f, r, family);
	crashpoint("rule-add");
	rule_families(family, &lo, &hi);
	for (int fam = lo; !ret && fam < hi; fam++)
		ret = install(f, fr, fam);
	if (!ret)
		ret = keytab_put(&f->order_index, &r->order, id);
	if (!ret)
		f->n_rules++;
	return ret;
}

int filter_rule_add(struct filter *f, struct xlb_rule *r, char *err,
		    size_t errlen)
{
	__u32 taken, id;
	int family, ret;

	family = xlb_rule_check(r, err, errlen);
	if (family < 0)
		return family;
	if (keytab_get(&f->order_index, &r->order, &taken)) {
		ERRF("order %u is taken by rule %u", r->order, taken);
		return -EEXIST;
	}
	id = alloc_rule_id(f);
	if (!id) {
		ERRF("no room for another rule (max_rules is %u)",
		     f->max_rules);
		return -ENOSPC;
	}
	ret = shapes_reserve(f, r, family, err, errlen);
	if (!ret)
		ret = rule_insert(f, r, family, id, true);
	if (ret)
		ERRF("writing rule %u: %s", id, strerror(-ret));
	return ret;
}

int filter_rule_put_back(struct filter *f, struct xlb_rule *r, int family,
			 char *err, size_t errlen)
{
	__u32 id = r->id, taken;
	int ret;

	if (id == 0 || id > f->max_rules || f->rules[id].in_use) {
		ERRF("putting rule %u back: its id is taken", id);
		return -EEXIST;
	}
	if (keytab_get(&f->order_index, &r->order, &taken)) {
		ERRF("putting rule %u back: order %u is taken by rule %u", id,
		     r->order, taken);
		return -EEXIST;
	}
	ret = shapes_reserve(f, r, family, err, errlen);
	if (!ret)
		ret = rule_insert(f, r, family, id, false);
	if (ret && ret != -ENOSPC)
		ERRF("putting rule %u back: %s", id, strerror(-ret));
	return ret;
}

/* The lowest-order rule other than `skip` with key k in dir/fam, or 0. */
static __u32 next_holder(struct filter *f, int dir, int fam,
			 const struct filter_shape *s,
			 const struct xlb_rule_key *k, __u32 skip)
{
	__u32 best = 0;

	for (__u32 id = 1; id <= f->max_rules; id++) {
		const struct filter_rule *fr = &f->rules[id];
		struct xlb_rule_key k2;
		int lo, hi;

		if (!fr->in_use || id == skip || (int)fr->r.dir != dir ||
		    !shape_fits(s, &fr->r))
			continue;
		rule_families(fr->family, &lo, &hi);
		if (fam < lo || fam >= hi)
			continue;
		rule_key(s, &fr->r, &k2);
		if (memcmp(&k2, k, sizeof(k2)))
			continue;
		if (!best || fr->r.order < f->rules[best].r.order)
			best = id;
	}
	return best;
}

void shape_remove(struct filter *f, int dir, int fam, struct filter_shape *s)
{
	struct filter_shape *last =
		&f->shapes[dir][fam][--f->nshapes[dir][fam]];

	*s = *last;
}

static int uninstall(struct filter *f, struct filter_rule *fr, int fam)
{
	struct xlb_rule *r = &fr->r;
	struct filter_shape *s = shape_find(f, r->dir, fam, r);
	struct xlb_rule_key k;
	struct xlb_rule_val cur;
	__u32 next = 0;
	int ret = 0;

	if (!s)
		return 0;
	rule_key(s, r, &k);
	if (!bpf_map_lookup_elem(f->m.rules, &k, &cur) && cur.id == r->id) {
		if (f->shadowed)
			next = next_holder(f, r->dir, fam, s, &k, r->id);
		if (next) {
			f->shadowed--;
			ret = key_write(f, &k, &f->rules[next].r);
		} else if (bpf_map_delete_elem(f->m.rules, &k)) {
			ret = -errno;
		} else {
			ret = bloom_add(f, &k, fam, -1);
		}
	} else if (f->shadowed) {
		f->shadowed--;
	}
	if (--s->nrules == 0) {
		shape_remove(f, r->dir, fam, s);
		ret = ret ? ret : shapes_publish(f);
	}
	return ret;
}

int filter_rule_del(struct filter *f, __u32 id, char *err, size_t errlen)
{
	struct xlb_rule_spec none = {};
	struct filter_rule *fr;
	int lo, hi, ret = 0;

	if (id == 0 || id > f->max_rules || !f->rules[id].in_use) {
		ERRF("no rule %u", id);
		return -ENOENT;
	}
	fr = &f->rules[id];
	rule_families(fr->family, &lo, &hi);
	for (int fam = lo; fam < hi; fam++) {
		int e = uninstall(f, fr, fam);

		ret = ret ? ret : e;
	}
	fr->in_use = false;
	keytab_del(&f->order_index, &fr->r.order);
	f->n_rules--;
	/* Cut here, the restore finds the spec and writes the keys again:
	 * the rule stays, whole. */
	crashpoint("rule-del");
	if (bpf_map_update_elem(f->m.rule_specs, &id, &none, BPF_ANY) && !ret)
		ret = -errno;
	if (ret)
		ERRF("removing rule %u: %s", id, strerror(-ret));
	return ret;
}

int filter_rule_flush(struct filter *f)
{
	char err[FILTER_ERRLEN];
	int n = 0;

	for (__u32 id = 1; id <= f->max_rules; id++)
		if (f->rules[id].in_use &&
		    !filter_rule_del(f, id, err, sizeof(err)))
			n++;
	return n;
}

__u32 filter_next_order(const struct filter *f)
{
	__u32 top = 0;
	bool any = false;

	for (__u32 id = 1; id <= f->max_rules; id++)
		if (f->rules[id].in_use &&
		    (!any || f->rules[id].r.order > top)) {
			top = f->rules[id].r.order;
			any = true;
		}
	return any ? top + 10 : 10;
}

__u32 filter_rule_find(const struct filter *f, const struct xlb_rule *r)
{
	__u32 id;

	if (!keytab_get(&f->order_index, &r->order, &id))
		return 0;
	const struct xlb_rule *c = &f->rules[id].r;

	if (c->action != r->action || c->dir != r->dir ||
	    c->fields != r->fields || c->proto != r->proto ||
	    c->sport != r->sport || c->dport != r->dport)
		return 0;
	if ((r->fields & XLB_FIELD_SRC) &&
	    memcmp(&c->src, &r->src, sizeof(c->src)))
		return 0;
	if ((r->fields & XLB_FIELD_DST) &&
	    memcmp(&c->dst, &r->dst, sizeof(c->dst)))
		return 0;
	return id;
}
