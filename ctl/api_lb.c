// SPDX-License-Identifier: GPL-2.0
/*
 * Control socket requests of the load balancer: vip_add, vip_del,
 * vip_list, backend_add, backend_set, backend_del, backend_list,
 * conn_list and conn_flush. VIPs
 * and addresses come in their text forms and are parsed with lb_parse.c,
 * as in the config file and xlbctl, so every path gives the same errors.
 * Each change is applied whole (ring included) before the reply.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lb.h"
#include "lb_conns.h"
#include "log.h"
#include "util.h"
#include "xlbd.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)

/* A request's fields, parsed. */
struct lb_req {
	struct xlb_vip_addr vip;
	bool has_vip;
	enum xlb_lb_mode mode;
	struct xlb_addr addr;
	bool has_weight;
	__u32 weight;
	__u16 port; /* 0: none given */
};

static const char *const vip_keys[] = { "cmd", "vip", "mode" };
static const char *const backend_keys[] = { "cmd", "vip", "address", "weight",
					    "port" };
static const char *const conn_keys[] = { "cmd", "vip", "backend", "count" };

static int known_keys(json_t *o, const char *const *known, size_t n, char *err,
		      size_t errlen)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		size_t i;

		for (i = 0; i < n && strcmp(key, known[i]); i++)
			;
		if (i == n) {
			ERRF("unknown key '%s'", key);
			return -EINVAL;
		}
	}
	return 0;
}

static const char *string_of(json_t *req, const char *key, bool required,
			     int *ret, char *err, size_t errlen)
{
	json_t *v = json_object_get(req, key);

	if (*ret || (!v && !required))
		return NULL;
	if (!json_is_string(v)) {
		ERRF(v ? "%s: expected a string" : "%s: required", key);
		*ret = -EINVAL;
		return NULL;
	}
	return json_string_value(v);
}

/* "vip" (required unless optional), "mode", "address", "weight" and
 * "port". */
static int parse_req(json_t *req, bool backend, bool optional_vip,
		     struct lb_req *r, char *err, size_t errlen)
{
	const char *vip, *mode = NULL, *addr = NULL;
	json_t *w = json_object_get(req, "weight");
	json_t *port = json_object_get(req, "port");
	int ret = backend ? known_keys(req, backend_keys,
				       ARRAY_SIZE(backend_keys), err, errlen) :
			    known_keys(req, vip_keys, ARRAY_SIZE(vip_keys), err,
				       errlen);

	memset(r, 0, sizeof(*r));
	vip = string_of(req, "vip", !optional_vip, &ret, err, errlen);
	if (backend)
		addr = string_of(req, "address", !optional_vip, &ret, err,
				 errlen);
	else
		mode = string_of(req, "mode", false, &ret, err, errlen);
	if (!ret && vip) {
		ret = xlb_parse_vip(vip, &r->vip, err, errlen);
		r->has_vip = true;
	}
	if (!ret && mode)
		ret = xlb_parse_lb_mode(mode, &r->mode, err, errlen);
	if (!ret && addr)
		ret = xlb_parse_addr(addr, &r->addr, err, errlen);
	if (!ret && w) {
		if (!json_is_integer(w) || json_integer_value(w) < 0 ||
		    json_integer_value(w) > XLB_WEIGHT_MAX) {
			ERRF("weight: must be 0..%d", XLB_WEIGHT_MAX);
			return -EINVAL;
		}
		r->weight = json_integer_value(w);
		r->has_weight = true;
	}
	if (!ret && port) {
		if (!json_is_integer(port) || json_integer_value(port) < 1 ||
		    json_integer_value(port) > 65535) {
			ERRF("port: must be 1..65535");
			return -EINVAL;
		}
		r->port = json_integer_value(port);
	}
	return ret;
}

static json_t *failed(int ret, struct api_error *e)
{
	e->code = ret == -EINVAL || ret == -EEXIST || ret == -ENOENT ||
				  ret == -ENOSPC ?
			  API_USAGE :
			  API_FAILED;
	return NULL;
}

static json_t *cmd_vip_add(void *ctx, json_t *req, struct api_error *e)
{
	struct xlbd *d = ctx;
	char v[XLB_VIP_STRLEN];
	struct xlb_snat_pool pool;
	struct lb_req r;
	__u32 id;
	int ret;

	ret = parse_req(req, false, false, &r, e->msg, sizeof(e->msg));
	if (!ret)
		ret = lb_vip_add(&d->lb, &r.vip, r.mode, &id, e->msg,
				 sizeof(e->msg));
	if (ret)
		return failed(ret, e);
	/* A NAT VIP gets the running configuration's global pool. */
	xlb_snat_pool_of(&d->conf.snat, r.vip.addr.family, &pool);
	if (r.mode == XLB_MODE_NAT && lb_vip_set_snat(&d->lb, id, &pool)) {
		snprintf(e->msg, sizeof(e->msg), "VIP %u: bad NAT source pool",
			 id);
		ret = -EIO;
	} else if (lb_commit(&d->lb, e->msg, sizeof(e->msg))) {
		ret = -EIO;
	}
	if (ret) {
		char why[LB_ERRLEN];

		lb_vip_del(&d->lb, &r.vip, why, sizeof(why)); /* roll back */
		return failed(ret, e);
	}
	xlb_format_vip(&r.vip, v, sizeof(v));
	log_info("lb: VIP %s added (id %u)", v, id);
	return json_pack("{s:i}", "id", (int)id);
}

static json_t *cmd_vip_del(void *ctx, json_t *req, struct api_error *e)
{
	struct xlbd *d = ctx;
	char v[XLB_VIP_STRLEN];
	struct lb_req r;
	int ret;

	ret = parse_req(req, false, false, &r, e->msg, sizeof(e->msg));
	if (!ret && json_object_get(req, "mode")) {
		snprintf(e->msg, sizeof(e->msg), "unknown key 'mode'");
		ret = -EINVAL;
	}
	if (!ret)
		ret = lb_vip_del(&d->lb, &r.vip, e->msg, sizeof(e->msg));
	if (ret)
		return failed(ret, e);
	xlb_format_vip(&r.vip, v, sizeof(v));
	log_info("lb: VIP %s removed", v);
	return json_object();
}

static json_t *cmd_vip_list(void *ctx, json_t *req, struct api_error *e)
{
	struct xlbd *d = ctx;
	int ret = known_keys(req, vip_keys, 1, e->msg, sizeof(e->msg));

	return ret ? failed(ret, e) : lb_vips_json(&d->lb);
}

static void log_backend(struct lb *lb, const struct lb_req *r, const char *what,
			int id)
{
	char v[XLB_VIP_STRLEN], a[XLB_VIP_STRLEN];

	xlb_format_vip(&r->vip, v, sizeof(v));
	xlb_format_addr(&r->addr, a, sizeof(a));
	log_info("lb: %s backend %s %s", v, a, what);
	if (id >= 0 && lb->backends[id].why[0])
		log_warn("lb: %s backend %s unresolved: %s", v, a,
			 lb->backends[id].why);
}

/* backend_add, backend_set, backend_del: one change, then the ring. */
static json_t *cmd_backend(void *ctx, json_t *req, struct api_error *e)
{
	const char *cmd = json_string_value(json_object_get(req, "cmd"));
	bool add = !strcmp(cmd, "backend_add"),
	     set = !strcmp(cmd, "backend_set");
	struct xlbd *d = ctx;
	struct lb_req r;
	__u32 id = 0;
	int ret;

	ret = parse_req(req, true, false, &r, e->msg, sizeof(e->msg));
	if (!ret && set && !r.has_weight) {
		snprintf(e->msg, sizeof(e->msg), "weight: required");
		ret = -EINVAL;
	} else if (!ret && !add && !set && r.has_weight) {
		snprintf(e->msg, sizeof(e->msg), "unknown key 'weight'");
		ret = -EINVAL;
	}
	if (!ret && !add && r.port) {
		snprintf(e->msg, sizeof(e->msg),
			 set ? "port: fixed when the backend is added (delete "
			       "it and add it with the new port)" :
			       "unknown key 'port'");
		ret = -EINVAL;
	}
	if (!ret && add)
		ret = lb_backend_add(&d->lb, &r.vip, &r.addr,
				     r.has_weight ? r.weight :
						    XLB_WEIGHT_DEFAULT,
				     r.port, &id, e->msg, sizeof(e->msg));
	else if (!ret && set)
		ret = lb_backend_set(&d->lb, &r.vip, &r.addr, r.weight, e->msg,
				     sizeof(e->msg));
	else if (!ret)
		ret = lb_backend_del(&d->lb, &r.vip, &r.addr, e->msg,
				     sizeof(e->msg));
	if (!ret)
		ret = lb_commit(&d->lb, e->msg, sizeof(e->msg));
	if (ret)
		return failed(ret, e);
	log_backend(&d->lb, &r,
		    add ? "added" :
		    set ? "weight set" :
			  "removed",
		    add ? (int)id : -1);
	return add ? json_pack("{s:i}", "id", (int)id) : json_object();
}

static json_t *cmd_backend_list(void *ctx, json_t *req, struct api_error *e)
{
	struct xlbd *d = ctx;
	char v[XLB_VIP_STRLEN];
	struct lb_req r;
	int ret;

	ret = known_keys(req, vip_keys, 2, e->msg, sizeof(e->msg));
	if (!ret)
		ret = parse_req(req, false, true, &r, e->msg, sizeof(e->msg));
	if (!ret && r.has_vip && lb_vip_find(&d->lb, &r.vip) < 0) {
		xlb_format_vip(&r.vip, v, sizeof(v));
		snprintf(e->msg, sizeof(e->msg), "no VIP %s", v);
		ret = -ENOENT;
	}
	if (ret)
		return failed(ret, e);
	return lb_backends_json(&d->lb, r.has_vip ? &r.vip : NULL);
}

/* conn_list's and conn_flush's "vip", "backend" and "count", into f. */
static int conn_filter(struct xlbd *d, json_t *req, struct lb_conn_filter *f,
		       char *err, size_t errlen)
{
	json_t *count = json_object_get(req, "count");
	const char *vip, *addr;
	struct xlb_vip_addr v;
	char name[XLB_VIP_STRLEN];
	int ret = 0;

	*f = (struct lb_conn_filter){ .vid = -1,
				      .count = XLB_CONN_LIST_DEFAULT };
	vip = string_of(req, "vip", false, &ret, err, errlen);
	addr = string_of(req, "backend", false, &ret, err, errlen);
	if (!ret && vip)
		ret = xlb_parse_vip(vip, &v, err, errlen);
	if (!ret && vip) {
		f->vid = lb_vip_find(&d->lb, &v);
		xlb_format_vip(&v, name, sizeof(name));
		if (f->vid < 0)
			ret = errf(err, errlen, "no VIP %s", name);
	}
	if (!ret && addr) {
		f->has_backend = true;
		ret = xlb_parse_addr(addr, &f->backend, err, errlen);
	}
	if (!ret && count &&
	    (!json_is_integer(count) || json_integer_value(count) < 1 ||
	     json_integer_value(count) > XLB_CONN_LIST_MAX))
		ret = errf(err, errlen, "count: must be 1..%d",
			   XLB_CONN_LIST_MAX);
	if (!ret && count)
		f->count = json_integer_value(count);
	return ret;
}

/* A backend filter names a backend: of the VIP, or of some VIP. */
static int conn_backend_known(struct xlbd *d, const struct lb_conn_filter *f,
			      char *err, size_t errlen)
{
	char a[XLB_VIP_STRLEN], v[XLB_VIP_STRLEN];

	if (!f->has_backend)
		return 0;
	for (__u32 id = 0; id < XLB_MAX_BACKENDS; id++) {
		const struct lb_backend *b = &d->lb.backends[id];

		if (b->in_use && !b->leaving &&
		    !xlb_addr_cmp(&b->addr, &f->backend) &&
		    (f->vid < 0 || b->vip == (__u32)f->vid))
			return 0;
	}
	xlb_format_addr(&f->backend, a, sizeof(a));
	if (f->vid < 0)
		return errf(err, errlen, "no VIP has backend %s", a);
	xlb_format_vip(&d->lb.vips[f->vid].vip, v, sizeof(v));
	errf(err, errlen, "VIP %s has no backend %s", v, a);
	return -ENOENT;
}

static json_t *cmd_conn_list(void *ctx, json_t *req, struct api_error *e)
{
	struct xlbd *d = ctx;
	struct lb_conn_filter f;
	json_t *out;
	int ret;

	ret = known_keys(req, conn_keys, ARRAY_SIZE(conn_keys), e->msg,
			 sizeof(e->msg));
	if (!ret)
		ret = conn_filter(d, req, &f, e->msg, sizeof(e->msg));
	if (!ret)
		ret = conn_backend_known(d, &f, e->msg, sizeof(e->msg));
	if (ret)
		return failed(ret, e);
	out = lb_flows_list(&d->lb, &f, e->msg, sizeof(e->msg));
	if (!out)
		e->code = API_FAILED;
	return out;
}

static json_t *cmd_conn_flush(void *ctx, json_t *req, struct api_error *e)
{
	struct xlbd *d = ctx;
	struct lb_conn_filter f;
	struct lb_flushed n;
	int ret;

	ret = known_keys(req, vip_keys, 2, e->msg, sizeof(e->msg));
	if (!ret)
		ret = conn_filter(d, req, &f, e->msg, sizeof(e->msg));
	if (ret)
		return failed(ret, e);
	ret = lb_flows_forget(&d->lb, f.vid, false, &n);
	if (ret) {
		snprintf(e->msg, sizeof(e->msg), "flushing the flows: %s",
			 strerror(-ret));
		return failed(ret, e);
	}
	log_info("lb: flushed %llu flows, freed %llu NAT ports%s",
		 (unsigned long long)n.flows, (unsigned long long)n.nat_ports,
		 f.vid < 0 ? "" : " of one VIP");
	return json_pack("{s:I, s:I}", "flows", (json_int_t)n.flows,
			 "nat_ports", (json_int_t)n.nat_ports);
}

const struct api_cmd lb_cmds[] = {
	{ "vip_add", cmd_vip_add },	      { "vip_del", cmd_vip_del },
	{ "vip_list", cmd_vip_list },	      { "backend_add", cmd_backend },
	{ "backend_set", cmd_backend },	      { "backend_del", cmd_backend },
	{ "backend_list", cmd_backend_list }, { "conn_list", cmd_conn_list },
	{ "conn_flush", cmd_conn_flush },
};

const size_t lb_n_cmds = ARRAY_SIZE(lb_cmds);
