// SPDX-License-Identifier: GPL-2.0
/*
 * The health-check engine. Each checked backend has a timer; when it is
 * due, a probe (health_probe.c) starts, and xlbd's poll loop waits on the
 * probes' sockets with a timeout to the next deadline, so nothing here
 * ever blocks. At most HEALTH_MAX_PROBES are in flight; a probe that has
 * not passed by its deadline fails; one that xlbd cannot make (out of
 * descriptors or ports) is not run, which changes nothing but a count
 * and the last result. The state machine of health_check.c
 * turns results into up and down, which lb_backend_set_down() and
 * lb_commit() carry to the ring and the backend's entry.
 *
 * Which backends are checked follows the load balancer: the engine looks
 * at the backends again whenever lb_commit() has run since it last did
 * (lb->gen), matching each backend's VIP to the configured health groups
 * by address, so VIPs added at run time for an address of the file are
 * checked as the file says.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "fault.h"
#include "health.h"
#include "lb.h"
#include "log.h"
#include "util.h"

#define NS_PER_MS 1000000ull

/* One backend id's checks and its probe in flight, if any. */
struct health_backend {
	bool checked;
	__u32 vip; /* whom the state is of: a reused id starts afresh */
	struct xlb_addr addr;
	struct xlb_health_conf conf;
	struct health_state st;
	__u64 next_ns; /* when the next probe is due */
	__u64 deadline_ns; /* when the probe in flight fails */
	struct health_probe p;
};

/* A VIP's health group, from the configuration file. */
struct health_vip {
	struct xlb_vip_addr vip;
	struct xlb_health_conf conf;
};

struct health {
	struct health_backend *b; /* by backend id */
	__u32 *ids; /* the checked backends */
	size_t n_ids;
	struct health_vip vips[XLB_MAX_VIPS];
	size_t n_vips;
	bool synced;
	__u32 gen; /* lb->gen when the backends were last looked at */
	int running; /* probes in flight */
	__u32 polled[HEALTH_MAX_PROBES]; /* backend of each pollfd */
	int n_polled;
	__u32 rand; /* xorshift state, for first probes and source ports */
	struct fault fault; /* probes that could not be made */
};

static __u32 next_rand(struct health *h)
{
	h->rand ^= h->rand << 13;
	h->rand ^= h->rand >> 17;
	h->rand ^= h->rand << 5;
	return h->rand;
}

static bool conf_eq(const struct xlb_health_conf *a,
		    const struct xlb_health_conf *b)
{
	return a->type == b->type && a->port == b->port &&
	       a->status == b->status && a->interval_ms == b->interval_ms &&
	       a->timeout_ms == b->timeout_ms && a->rise == b->rise &&
	       a->fall == b->fall && !strcmp(a->path, b->path);
}

/* End the probe in flight, if any. */
static void probe_stop(struct health *h, struct health_backend *x)
{
	if (x->p.phase == HEALTH_IDLE)
		return;
	health_probe_stop(&x->p);
	h->running--;
}

/* First probe of a backend: spread over one interval, so a VIP's
 * backends are not all probed at once. */
static void schedule_first(struct health *h, struct health_backend *x,
			   __u64 now)
{
	x->next_ns = now + next_rand(h) % x->conf.interval_ms * NS_PER_MS;
}

static void names(struct lb *lb, __u32 id, char *addr, char *vip)
{
	const struct lb_backend *b = &lb->backends[id];

	xlb_format_addr(&b->addr, addr, XLB_VIP_STRLEN);
	xlb_format_vip(&lb->vips[b->vip].vip, vip, XLB_VIP_STRLEN);
}

/* Apply a change of up/down to the load balancer, now. */
static void carry(struct lb *lb, __u32 id, bool down, const char *why)
{
	char addr[XLB_VIP_STRLEN], vip[XLB_VIP_STRLEN], err[LB_ERRLEN];

	names(lb, id, addr, vip);
	if (down)
		log_warn("health: %s %s is down: %s", vip, addr, why);
	else
		log_msg(LOG_NOTICE, "health: %s %s is up: %s", vip, addr, why);
	lb_backend_set_down(lb, id, down);
	if (lb_commit(lb, err, sizeof(err)))
		log_err("health: %s %s: %s", vip, addr, err);
}

/* The health group of VIP vid, or NULL. */
static const struct xlb_health_conf *vip_conf(struct lb *lb, __u32 vid)
{
	struct health *h = lb->health;

	for (size_t i = 0; i < h->n_vips; i++)
		if (!xlb_vip_cmp(&h->vips[i].vip, &lb->vips[vid].vip))
			return &h->vips[i].conf;
	return NULL;
}

/* Backend id against its record: start, keep, restart or stop checks. */
static void sync_one(struct lb *lb, __u32 id,
		     const struct xlb_health_conf *conf, __u64 now)
{
	const struct lb_backend *b = &lb->backends[id];
	struct health *h = lb->health;
	struct health_backend *x = &h->b[id];

	/* Another backend under the id, or one made again (only the
	 * checks make a backend down, so a mismatch is a new backend). */
	if (x->checked &&
	    (!conf || x->vip != b->vip || xlb_addr_cmp(&x->addr, &b->addr) ||
	     x->st.down != b->down)) {
		probe_stop(h, x);
		x->checked = false;
	}
	if (!conf) {
		/* No checks: up, whatever it was. */
		if (b->in_use && !b->leaving && b->down)
			carry(lb, id, false, "no health checks");
		return;
	}
	if (!x->checked) {
		x->checked = true;
		x->vip = b->vip;
		x->addr = b->addr;
		x->conf = *conf;
		health_state_init(&x->st, b->down, now);
		schedule_first(h, x, now);
	} else if (!conf_eq(&x->conf, conf)) {
		/* New checks: new runs, same state. */
		probe_stop(h, x);
		x->conf = *conf;
		x->st.ok_run = x->st.fail_run = 0;
		schedule_first(h, x, now);
	}
	h->ids[h->n_ids++] = id;
}

/* Look at the backends again if the load balancer changed. */
static void sync_backends(struct lb *lb)
{
	const struct xlb_health_conf *confs[XLB_MAX_VIPS];
	struct health *h = lb->health;
	__u64 now = now_ns();

	if (h->synced && h->gen == lb->gen)
		return;
	for (__u32 vid = 0; vid < XLB_MAX_VIPS; vid++)
		confs[vid] = lb->vips[vid].in_use ? vip_conf(lb, vid) : NULL;
	h->n_ids = 0;
	for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++) {
		const struct lb_backend *b = &lb->backends[id];
		bool live = b->in_use && !b->leaving;

		if (live || h->b[id].checked)
			sync_one(lb, id, live ? confs[b->vip] : NULL, now);
	}
	/* After our own commits, which change no backend's checks. */
	h->synced = true;
	h->gen = lb->gen;
}

/* The port to probe backend id at: the check's, or the backend's. */
static __u16 port_of(struct lb *lb, __u32 id)
{
	const struct lb_backend *b = &lb->backends[id];
	const struct health_backend *x = &lb->health->b[id];

	if (x->conf.port)
		return x->conf.port;
	return b->dp.port ? ntohs(b->dp.port) : lb->vips[b->vip].vip.port;
}

/* The probe of backend id ends with a result: the state machine. */
static void finish(struct lb *lb, __u32 id, bool ok, const char *result)
{
	struct health_backend *x = &lb->health->b[id];
	char addr[XLB_VIP_STRLEN], vip[XLB_VIP_STRLEN], why[160];

	probe_stop(lb->health, x);
	if (log_get_level() >= LOG_DEBUG) {
		names(lb, id, addr, vip);
		log_debug("health: %s %s: %s", vip, addr, result);
	}
	if (!health_record(&x->st, ok, result, x->conf.rise, x->conf.fall,
			   now_ns()))
		return;
	snprintf(why, sizeof(why), "%s (%u in a row)", result,
		 x->st.down ? x->st.fail_run : x->st.ok_run);
	carry(lb, id, x->st.down, why);
}

static void probe_start(struct lb *lb, __u32 id, __u64 now)
{
	struct health *h = lb->health;
	struct health_backend *x = &h->b[id];
	char result[HEALTH_RESULT_LEN];
	enum health_step step;

	x->next_ns = now + x->conf.interval_ms * NS_PER_MS;
	x->deadline_ns = now + x->conf.timeout_ms * NS_PER_MS;
	step = health_probe_start(&x->p, &x->conf, &x->addr, port_of(lb, id),
				  next_rand(h), result, sizeof(result));
	if (step == HEALTH_NOT_RUN) {
		/* Tried again at the next interval; the state stays. */
		health_not_run(&x->st, result);
		fault_hit(&h->fault, x->p.err, now);
		return;
	}
	fault_ok(&h->fault);
	if (step == HEALTH_PENDING)
		h->running++;
	else
		finish(lb, id, step == HEALTH_PASSED, result);
}

static void probe_event(struct lb *lb, __u32 id, short revents)
{
	struct health *h = lb->health;
	struct health_backend *x = &h->b[id];
	char result[HEALTH_RESULT_LEN];
	enum health_step step;

	step = health_probe_step(&x->p, &x->conf, &x->addr, revents, result,
				 sizeof(result));
	if (step == HEALTH_PENDING)
		return;
	h->running--; /* the probe closed its socket */
	finish(lb, id, step == HEALTH_PASSED, result);
}

int health_open(struct lb *lb, char *err, size_t errlen)
{
	struct health *h = calloc(1, sizeof(*h));

	if (h) {
		h->b = calloc(XLB_MAX_BACKENDS, sizeof(*h->b));
		h->ids = calloc(XLB_MAX_BACKENDS, sizeof(*h->ids));
	}
	if (!h || !h->b || !h->ids) {
		if (h) {
			free(h->b);
			free(h->ids);
		}
		free(h);
		snprintf(err, errlen, "health checks: out of memory");
		return -ENOMEM;
	}
	for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++)
		h->b[id].p.fd = -1;
	h->rand = (__u32)now_ns() ^ (__u32)getpid() << 16 ^ 1;
	fault_init(&h->fault, "health: probes",
		   "probes that cannot be made are counted as not run, "
		   "neither passed nor failed: backends keep their state",
		   0, 0);
	lb->health = h;
	return 0;
}

void health_close(struct lb *lb)
{
	struct health *h = lb->health;

	if (!h)
		return;
	for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++)
		probe_stop(h, &h->b[id]);
	free(h->b);
	free(h->ids);
	free(h);
	lb->health = NULL;
}

void health_configure(struct lb *lb, const struct xlb_config *conf)
{
	struct health *h = lb->health;

	if (!h)
		return;
	h->n_vips = 0;
	for (size_t i = 0; i < conf->n_vips; i++) {
		if (conf->vips[i].health.type == XLB_HEALTH_NONE)
			continue;
		h->vips[h->n_vips].vip = conf->vips[i].vip;
		h->vips[h->n_vips++].conf = conf->vips[i].health;
	}
	h->synced = false;
	sync_backends(lb);
	if (h->n_vips)
		log_info("health: checks on %zu VIPs, %zu backends", h->n_vips,
			 h->n_ids);
}

int health_timeout(struct lb *lb)
{
	struct health *h = lb->health;
	__u64 next = UINT64_MAX;

	if (!h)
		return -1;
	sync_backends(lb);
	for (size_t i = 0; i < h->n_ids; i++) {
		const struct health_backend *x = &h->b[h->ids[i]];

		if (x->p.phase != HEALTH_IDLE && x->deadline_ns < next)
			next = x->deadline_ns;
		/* Due probes without a free slot wait for a probe to end. */
		else if (x->p.phase == HEALTH_IDLE &&
			 h->running < HEALTH_MAX_PROBES && x->next_ns < next)
			next = x->next_ns;
	}
	return poll_timeout_ms(next);
}

int health_pollfds(struct lb *lb, struct pollfd *pfds, int max)
{
	struct health *h = lb->health;
	int n = 0;

	if (!h)
		return 0;
	if (max > HEALTH_MAX_PROBES)
		max = HEALTH_MAX_PROBES;
	for (size_t i = 0; i < h->n_ids && n < max; i++) {
		const struct health_backend *x = &h->b[h->ids[i]];

		if (x->p.phase == HEALTH_IDLE)
			continue;
		pfds[n] =
			(struct pollfd){ .fd = x->p.fd,
					 .events = health_probe_events(&x->p) };
		h->polled[n++] = h->ids[i];
	}
	h->n_polled = n;
	return n;
}

void health_process(struct lb *lb, const struct pollfd *pfds, int n)
{
	struct health *h = lb->health;
	__u64 now;

	if (!h)
		return;
	for (int i = 0; i < n && i < h->n_polled; i++) {
		__u32 id = h->polled[i];

		if (pfds[i].revents && h->b[id].p.fd == pfds[i].fd &&
		    h->b[id].p.phase != HEALTH_IDLE)
			probe_event(lb, id, pfds[i].revents);
	}
	h->n_polled = 0;
	/* A result may have changed the load balancer. */
	sync_backends(lb);
	now = now_ns();
	for (size_t i = 0; i < h->n_ids; i++) {
		__u32 id = h->ids[i];
		struct health_backend *x = &h->b[id];

		if (x->p.phase != HEALTH_IDLE && now >= x->deadline_ns)
			finish(lb, id, false, "timeout");
		else if (x->p.phase == HEALTH_IDLE && now >= x->next_ns &&
			 h->running < HEALTH_MAX_PROBES)
			probe_start(lb, id, now);
	}
}

json_t *health_json(struct lb *lb, __u32 id)
{
	const struct lb_backend *b = &lb->backends[id];
	struct health *h = lb->health;
	const struct health_backend *x = h ? &h->b[id] : NULL;
	json_t *o;

	if (!x || !x->checked || x->vip != b->vip ||
	    xlb_addr_cmp(&x->addr, &b->addr))
		return json_pack("{s:s}", "state", "unchecked");
	o = json_pack(
		"{s:s, s:I, s:I, s:I, s:f}", "state", health_state_str(&x->st),
		"checks_ok", (json_int_t)x->st.checks_ok, "checks_failed",
		(json_int_t)x->st.checks_failed, "checks_not_run",
		(json_int_t)x->st.checks_not_run, "since_s",
		(double)((now_ns() - x->st.changed_ns) / NS_PER_MS) / 1e3);
	if (x->st.result[0])
		json_object_set_new(o, "result", json_string(x->st.result));
	return o;
}
