// SPDX-License-Identifier: GPL-2.0
/*
 * The load balancer's lifetime: open (restoring VIPs from xlb_vips and
 * their rings from xlb_ring, backends from xlb_backends and the specs
 * xlbd pins beside them, so ids survive a restart, and the timeouts from
 * xlb_lb_conf), close, and applying a configuration as a difference. An
 * entry left half-made by a daemon that died mid-change (a backend the
 * data plane holds but no spec names, a key with an id already taken) is
 * taken apart on restore.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "crashpoint.h"
#include "lb.h"
#include "lb_int.h"
#include "log.h"
#include "maps.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)

/* Open xlb_lb_specs in pin_dir, or create and pin it. */
static int specs_open(struct lb *lb, const char *pin_dir, char *err,
		      size_t errlen)
{
	char path[PATH_MAX];
	bool found;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, LB_SPECS_PIN);
	fd = maps_own_array(path, LB_SPECS_PIN, sizeof(struct lb_spec),
			    XLB_MAX_BACKENDS, &found, err, errlen);
	if (fd < 0)
		return fd;
	lb->specs = fd;
	return 0;
}

/* One key of xlb_vips: a VIP, unless its id is bad or taken. */
static bool restore_vip(struct lb *lb, const struct xlb_vip_key *k)
{
	struct xlb_vip val;
	struct lb_vip *v;

	if (bpf_map_lookup_elem(lb->m.vips, k, &val) ||
	    val.id >= XLB_MAX_VIPS || lb->vips[val.id].in_use ||
	    k->family >= XLB_FAMILY_MAX)
		return false;
	v = &lb->vips[val.id];
	*v = (struct lb_vip){ .in_use = true, .mode = val.mode, .dirty = true };
	xlb_vip_of_key(k, &v->vip);
	v->ring = malloc(XLB_RING_SIZE * sizeof(*v->ring));
	if (!v->ring || lb_ring_read(lb, val.id, v->ring)) {
		/* An unknown ring: every slot is written again. */
		free(v->ring);
		v->ring = calloc(XLB_RING_SIZE, sizeof(*v->ring));
		if (!v->ring)
			return false;
	}
	lb_snat_restore(lb, val.id);
	lb->n_vips++;
	lb->next_vip = (val.id + 1) % XLB_MAX_VIPS;
	return true;
}

static int restore_vips(struct lb *lb)
{
	struct xlb_vip_key k, next, bad[XLB_MAX_VIPS];
	size_t nbad = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(lb->m.vips, prev, &next)) {
		if (!restore_vip(lb, &next) && nbad < XLB_MAX_VIPS)
			bad[nbad++] = next;
		k = next;
		prev = &k;
	}
	for (size_t i = 0; i < nbad; i++) {
		log_warn("lb: removing a VIP key with a bad or taken id");
		bpf_map_delete_elem(lb->m.vips, &bad[i]);
	}
	for (__u32 id = 0; id < XLB_MAX_VIPS; id++)
		if (lb->vips[id].in_use && !lb->vips[id].ring)
			return -ENOMEM;
	return 0;
}

/* Backend id from its entry and spec; a stray one is left to go. */
static void restore_backend(struct lb *lb, __u32 id)
{
	struct lb_backend *b = &lb->backends[id];
	struct xlb_backend dp;
	struct lb_spec s = {};
	struct lb_vip *v;

	if (bpf_map_lookup_elem(lb->m.backends, &id, &dp))
		return;
	bpf_map_lookup_elem(lb->specs, &id, &s);
	if (!(dp.flags & XLB_BACKEND_ACTIVE) && !s.in_use)
		return;
	*b = (struct lb_backend){ .in_use = true, .dp = dp };
	/* Down before the restart: down until checks say otherwise. */
	b->down = dp.flags & XLB_BACKEND_DOWN;
	b->vip = s.vip < XLB_MAX_VIPS ? s.vip : 0;
	b->weight = s.weight;
	b->addr.family = dp.family;
	memcpy(b->addr.addr, dp.addr, sizeof(b->addr.addr));
	lb->n_backends++;
	v = &lb->vips[b->vip];
	if (!s.in_use || s.vip >= XLB_MAX_VIPS || !v->in_use ||
	    !(dp.flags & XLB_BACKEND_ACTIVE) ||
	    dp.family != v->vip.addr.family || s.weight > XLB_WEIGHT_MAX ||
	    v->n_backends == XLB_MAX_BACKENDS_PER_VIP ||
	    lb_backend_find(lb, b->vip, &b->addr) != (int)id) {
		b->leaving = true; /* cleared at the first commit */
		return;
	}
	v->n_backends++;
	lb->next_backend = (id + 1) % XLB_MAX_BACKENDS;
}

/* The timeouts in force. A table never written (just loaded, or left by
 * a daemon that died before its first apply) gets the defaults. */
static int restore_timeouts(struct lb *lb)
{
	struct xlb_lb_conf *t = &lb->timeouts;
	__u32 key = 0;

	if (bpf_map_lookup_elem(lb->m.lb_conf, &key, t))
		return -errno;
	if (t->syn_ns && t->tcp_ns && t->fin_ns && t->closed_ns && t->udp_ns)
		return 0;
	if (!lb->fresh)
		log_warn("lb: no connection timeouts were in force: the "
			 "defaults until the next reload");
	maps_lb_conf_default(t);
	return maps_lb_conf_set(lb->m.lb_conf, t);
}

int lb_open(struct lb *lb, const struct lb_maps *m, const char *pin_dir,
	    bool fresh, char *err, size_t errlen)
{
	__u32 leaving = 0;
	int ret;

	memset(lb, 0, sizeof(*lb));
	lb->m = *m;
	lb->specs = -1;
	lb->fresh = fresh;
	lb->scratch = malloc(XLB_RING_SIZE * sizeof(*lb->scratch));
	if (!lb->scratch) {
		ERRF("lb: out of memory");
		return -ENOMEM;
	}
	ret = specs_open(lb, pin_dir, err, errlen);
	if (ret)
		goto fail;
	ret = restore_timeouts(lb);
	if (!ret)
		ret = restore_vips(lb);
	for (__u32 id = 0; !ret && id < XLB_MAX_BACKENDS; id++) {
		restore_backend(lb, id);
		leaving += lb->backends[id].leaving;
	}
	if (!ret)
		ret = lb_write_hints(lb);
	if (ret) {
		ERRF("restoring the load balancer from its maps: %s",
		     strerror(-ret));
		goto fail;
	}
	/* Rings as the backends make them (nothing changes if they agree). */
	ret = lb_commit(lb, err, errlen);
	if (ret)
		goto fail;
	if (lb->n_vips || leaving)
		log_info("lb: restored %u VIPs and %u backends%s", lb->n_vips,
			 lb->n_backends,
			 leaving ? " (stray entries removed)" : "");
	return 0;
fail:
	lb_close(lb);
	return ret;
}

void lb_close(struct lb *lb)
{
	if (!lb->scratch) /* never opened, or closed */
		return;
	for (__u32 id = 0; id < XLB_MAX_VIPS; id++)
		free(lb->vips[id].ring);
	free(lb->scratch);
	if (lb->specs >= 0)
		close(lb->specs);
	memset(lb, 0, sizeof(*lb));
	lb->specs = -1;
}

static bool conf_has_vip(const struct xlb_config *conf,
			 const struct xlb_vip_addr *v)
{
	for (size_t i = 0; i < conf->n_vips; i++)
		if (!xlb_vip_cmp(&conf->vips[i].vip, v))
			return true;
	return false;
}

static bool conf_has_backend(const struct xlb_vip_conf *cv,
			     const struct xlb_addr *a)
{
	for (size_t i = 0; i < cv->n_backends; i++)
		if (!xlb_addr_cmp(&cv->backends[i].addr, a))
			return true;
	return false;
}

/* Make VIP cv's backends those of the file (the ring comes later). */
static int apply_backends(struct lb *lb, const struct xlb_vip_conf *cv,
			  __u32 vid, int *line, char *err, size_t errlen)
{
	int ret = 0;
	__u32 id;

	for (id = 0; !ret && id < XLB_MAX_BACKENDS; id++) {
		const struct lb_backend *b = &lb->backends[id];

		if (b->in_use && !b->leaving && b->vip == vid &&
		    !conf_has_backend(cv, &b->addr))
			ret = lb_backend_del(lb, &cv->vip, &b->addr, err,
					     errlen);
	}
	for (size_t i = 0; !ret && i < cv->n_backends; i++) {
		const struct xlb_backend_conf *cb = &cv->backends[i];
		int bid = lb_backend_find(lb, vid, &cb->addr);

		*line = cb->line;
		/* Another port: the backend goes, one at the new port comes
		 * (its flows were to the old one). */
		if (bid >= 0 && lb_backend_port(lb, bid) != cb->port) {
			ret = lb_backend_del(lb, &cv->vip, &cb->addr, err,
					     errlen);
			bid = -ENOENT;
		}
		if (!ret && bid >= 0)
			ret = lb_backend_set(lb, &cv->vip, &cb->addr,
					     cb->weight, err, errlen);
		else if (!ret)
			ret = lb_backend_add(lb, &cv->vip, &cb->addr,
					     cb->weight, cb->port, &id, err,
					     errlen);
	}
	return ret;
}

/* One VIP of the file: added, or its mode, NAT source pool and backends
 * brought in line. */
static int apply_vip(struct lb *lb, const struct xlb_config *conf,
		     const struct xlb_vip_conf *cv, int *line, char *err,
		     size_t errlen)
{
	int vid = lb_vip_find(lb, &cv->vip);
	struct xlb_snat_pool pool;
	__u32 id;
	int ret;

	*line = cv->line;
	/*
	 * Another mode: the VIP goes and comes back with a new id, so no
	 * flow of the old mode (DSR flows have no NAT port) is forwarded
	 * under the new one.
	 */
	if (vid >= 0 && lb->vips[vid].mode != cv->mode) {
		ret = lb_vip_del(lb, &cv->vip, err, errlen);
		if (ret)
			return ret;
		vid = -ENOENT;
	}
	if (vid < 0) {
		ret = lb_vip_add(lb, &cv->vip, cv->mode, &id, err, errlen);
		if (ret)
			return ret;
		vid = id;
	}
	xlb_vip_snat_pool(conf, cv, &pool);
	ret = lb_vip_set_snat(lb, vid, &pool);
	if (ret) {
		ERRF("VIP %u: %u NAT source addresses, more than %d", vid,
		     pool.count, XLB_SNAT_MAX);
		return ret;
	}
	return apply_backends(lb, cv, vid, line, err, errlen);
}

/* The connection timeouts of conf's lb group, into xlb_lb_conf. */
static int apply_timeouts(struct lb *lb, const struct xlb_config *conf)
{
	struct xlb_lb_conf lc;
	int ret;

	xlb_lb_timeouts(&conf->lb, &lc);
	ret = maps_lb_conf_set(lb->m.lb_conf, &lc);
	if (!ret)
		lb->timeouts = lc;
	return ret;
}

int lb_apply(struct lb *lb, const struct xlb_config *conf, char *err,
	     size_t errlen)
{
	char why[LB_ERRLEN];
	int line = 0, ret;

	ret = apply_timeouts(lb, conf);
	if (ret) {
		ERRF("%s: writing the connection timeouts: %s", conf->file,
		     strerror(-ret));
		return ret;
	}

	for (__u32 id = 0; !ret && id < XLB_MAX_VIPS; id++)
		if (lb->vips[id].in_use &&
		    !conf_has_vip(conf, &lb->vips[id].vip))
			ret = lb_vip_del(lb, &lb->vips[id].vip, why,
					 sizeof(why));
	for (size_t i = 0; !ret && i < conf->n_vips; i++) {
		ret = apply_vip(lb, conf, &conf->vips[i], &line, why,
				sizeof(why));
		crashpoint("lb-vip");
	}
	/* Whatever was done is made consistent, even after an error. */
	if (ret) {
		lb_commit(lb, NULL, 0);
		if (line)
			ERRF("%s:%d: %s", conf->file, line, why);
		else
			ERRF("%s: %s", conf->file, why);
		return ret;
	}
	ret = lb_commit(lb, why, sizeof(why));
	if (ret)
		ERRF("%s: %s", conf->file, why);
	return ret;
}
