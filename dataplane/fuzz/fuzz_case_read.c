// SPDX-License-Identifier: GPL-2.0
/*
 * Reading fuzz case files (the format is in fuzz_case.c): every line
 * parsed strictly, an error naming the file, the line and the reason;
 * rules and prefixes through ctl/rule.c, as the config file's are.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/in.h>
#include <linux/in6.h>

#include "case.h"

#define LINE_LEN (2 * FZ_FRAME_MAX + 256)
#define MAX_WORDS 24

struct reader {
	const char *path;
	int line;
	char *err;
	size_t errlen;
	struct fz_case *c;
	char *w[MAX_WORDS];
	int n;
};

static int fail(struct reader *rd, const char *fmt, ...)
{
	int n = snprintf(rd->err, rd->errlen, "%s:%d: ", rd->path, rd->line);
	va_list ap;

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < rd->errlen)
		vsnprintf(rd->err + n, rd->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int number(struct reader *rd, const char *s, __u32 max, __u32 *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || end == s || *end || x > max)
		return fail(rd, "bad number '%s'", s);
	*v = (__u32)x;
	return 0;
}

static int address(struct reader *rd, const char *s, __be32 *a, __u8 *family)
{
	*family = strchr(s, ':') ? XLB_FAMILY_V6 : XLB_FAMILY_V4;
	memset(a, 0, 16);
	if (inet_pton(*family == XLB_FAMILY_V4 ? AF_INET : AF_INET6, s, a) != 1)
		return fail(rd, "bad address '%s'", s);
	return 0;
}

static int flags(struct reader *rd, const char *s, __u8 *f)
{
	char buf[64], *save, *t;

	*f = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "active"))
			*f |= XLB_BACKEND_ACTIVE;
		else if (!strcmp(t, "resolved"))
			*f |= XLB_BACKEND_RESOLVED;
		else if (!strcmp(t, "down"))
			*f |= XLB_BACKEND_DOWN;
		else if (strcmp(t, "none"))
			return fail(rd, "bad flag '%s'", t);
	}
	return 0;
}

/* words i, i + 2, ... must be the keys given, in that order. */
static int keys(struct reader *rd, int first, const char *const *k, int n)
{
	if (rd->n != first + 2 * n && rd->n != first + 2 * n + 2)
		return fail(rd, "%d words, want %d", rd->n, first + 2 * n);
	for (int i = 0; i < n; i++)
		if (strcmp(rd->w[first + 2 * i], k[i]))
			return fail(rd, "'%s' where '%s' goes",
				    rd->w[first + 2 * i], k[i]);
	return 0;
}

static int read_iface(struct reader *rd)
{
	static const char *const k[] = { "slot", "stages", "attach" };
	int i = rd->n > 1 ? fz_if_parse(rd->w[1]) : -1;
	struct fz_iface_conf *ic;
	const char *st;

	if (i < 0)
		return fail(rd, "bad interface");
	ic = &rd->c->cfg.ifs[i];
	memset(ic, 0, sizeof(*ic));
	if (rd->n == 3 && !strcmp(rd->w[2], "off"))
		return 0;
	if (keys(rd, 2, k, 3) ||
	    number(rd, rd->w[3], XLB_MAX_IFACES - 1, &ic->slot))
		return -EINVAL;
	st = rd->w[5];
	ic->on = true;
	ic->stages = (strstr(st, "filter") ? XLB_STAGE_FILTER : 0) |
		     (strstr(st, "lb") ? XLB_STAGE_LB : 0);
	ic->attach = !strcmp(rd->w[7], "xdp") ? XLB_ATTACH_XDP_NATIVE : 0;
	return 0;
}

static int rule_field(struct reader *rd, struct xlb_rule *r, const char *k,
		      const char *v, char *err, size_t len)
{
	if (!strcmp(k, "order"))
		return number(rd, v, XLB_ORDER_MAX, &r->order);
	if (!strcmp(k, "hook"))
		return xlb_parse_dir(v, &r->dir, err, len);
	if (!strcmp(k, "src") || !strcmp(k, "dst")) {
		r->fields |= *k == 's' ? XLB_FIELD_SRC : XLB_FIELD_DST;
		return xlb_parse_prefix(v, *k == 's' ? &r->src : &r->dst, err,
					len);
	}
	if (!strcmp(k, "proto")) {
		r->fields |= XLB_FIELD_PROTO;
		return xlb_parse_proto(v, &r->proto, err, len);
	}
	if (!strcmp(k, "sport") || !strcmp(k, "dport")) {
		r->fields |= k[0] == 's' ? XLB_FIELD_SPORT : XLB_FIELD_DPORT;
		return xlb_parse_port(v, k[0] == 's' ? &r->sport : &r->dport,
				      err, len);
	}
	return fail(rd, "unknown rule key '%s'", k);
}

static int read_rule(struct reader *rd)
{
	struct fz_config *c = &rd->c->cfg;
	struct xlb_rule *r = &c->rules[c->n_rules];
	char err[XLB_RULE_ERRLEN] = "";
	int i = 1;

	if (c->n_rules == FZ_MAX_RULES)
		return fail(rd, "too many rules");
	memset(r, 0, sizeof(*r));
	while (i + 1 < rd->n) {
		if (!strcmp(rd->w[i], "drop") || !strcmp(rd->w[i], "pass")) {
			xlb_parse_action(rd->w[i++], &r->action, err,
					 sizeof(err));
			continue;
		}
		if (rule_field(rd, r, rd->w[i], rd->w[i + 1], err, sizeof(err)))
			return err[0] ? fail(rd, "%s", err) : -EINVAL;
		i += 2;
	}
	if (i != rd->n || xlb_rule_check(r, err, sizeof(err)) < 0)
		return fail(rd, "bad rule: %s", err[0] ? err : "trailing word");
	c->n_rules++;
	return 0;
}

static int read_entry(struct reader *rd, enum xlb_list list)
{
	struct fz_config *c = &rd->c->cfg;
	struct xlb_list_entry *e = &c->entries[c->n_entries];
	char err[XLB_RULE_ERRLEN];

	if (rd->n != 3 || c->n_entries == FZ_MAX_ENTRIES)
		return fail(rd, "want: allow|deny HOOK PREFIX");
	memset(e, 0, sizeof(*e));
	e->list = list;
	if (xlb_parse_dir(rd->w[1], &e->dir, err, sizeof(err)) ||
	    xlb_parse_prefix(rd->w[2], &e->prefix, err, sizeof(err)))
		return fail(rd, "%s", err);
	c->n_entries++;
	return 0;
}

static int read_pool(struct reader *rd, struct fz_vip *v, const char *list)
{
	char buf[LINE_LEN], *save, *t;
	__u8 fam;

	snprintf(buf, sizeof(buf), "%s", list);
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (v->pool.count == XLB_SNAT_MAX ||
		    address(rd, t, v->pool.addr[v->pool.count++], &fam))
			return fail(rd, "bad pool");
	}
	return 0;
}

static int read_vip(struct reader *rd)
{
	struct fz_config *c = &rd->c->cfg;
	struct fz_vip *v = &c->vips[c->n_vips];
	__u32 port;

	if ((rd->n != 6 && rd->n != 8) || c->n_vips == FZ_MAX_VIPS)
		return fail(rd,
			    "want: vip ID ADDR PORT PROTO MODE [pool A,..]");
	memset(v, 0, sizeof(*v));
	if (number(rd, rd->w[1], XLB_MAX_VIPS - 1, &v->id) ||
	    address(rd, rd->w[2], v->key.addr, &v->key.family) ||
	    number(rd, rd->w[3], UINT16_MAX, &port))
		return -EINVAL;
	v->key.port = htons((__u16)port);
	v->key.proto = !strcmp(rd->w[4], "tcp") ? IPPROTO_TCP : IPPROTO_UDP;
	v->mode = !strcmp(rd->w[5], "nat") ? XLB_MODE_NAT : XLB_MODE_DSR;
	if (rd->n == 8 &&
	    (strcmp(rd->w[6], "pool") || read_pool(rd, v, rd->w[7])))
		return fail(rd, "bad pool");
	c->n_vips++;
	return 0;
}

static int read_backend(struct reader *rd)
{
	static const char *const k[] = { "port", "weight", "flags", "egress" };
	struct fz_config *c = &rd->c->cfg;
	struct fz_backend *b = &c->backends[c->n_backends];
	__u32 port;
	int eg;

	if (rd->n < 4 || c->n_backends == FZ_MAX_BACKENDS)
		return fail(rd, "want: backend ID VIP ADDR ...");
	memset(b, 0, sizeof(*b));
	if (number(rd, rd->w[1], XLB_MAX_BACKENDS - 1, &b->id) ||
	    number(rd, rd->w[2], (__u32)c->n_vips - 1, &b->vip) ||
	    address(rd, rd->w[3], b->b.addr, &b->b.family) ||
	    keys(rd, 4, k, 4) || number(rd, rd->w[5], UINT16_MAX, &port) ||
	    number(rd, rd->w[7], UINT16_MAX, &b->weight) ||
	    flags(rd, rd->w[9], &b->b.flags))
		return -EINVAL;
	b->b.port = htons((__u16)port);
	eg = fz_if_parse(rd->w[11]);
	if (eg < 0)
		return fail(rd, "bad interface '%s'", rd->w[11]);
	b->egress = eg;
	if (rd->n == 14 && (strcmp(rd->w[12], "snat") ||
			    address(rd, rd->w[13], b->b.snat, &b->b.family)))
		return fail(rd, "bad snat");
	c->n_backends++;
	return 0;
}

static int read_event(struct reader *rd)
{
	static const char *const k[] = { "flags", "weight" };
	struct fz_step s = { .is_event = true };

	if (rd->n < 2 ||
	    number(rd, rd->w[1], (__u32)rd->c->cfg.n_backends - 1,
		   &s.ev.backend) ||
	    keys(rd, 2, k, 2) || flags(rd, rd->w[3], &s.ev.flags) ||
	    number(rd, rd->w[5], UINT16_MAX, &s.ev.weight))
		return -EINVAL;
	return fz_case_push(rd->c, &s);
}

static int hex(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

static int read_frame(struct reader *rd)
{
	static struct fz_step s;
	const char *h;
	size_t n;
	int hook, ifc, kind;

	if (rd->n != 5)
		return fail(rd, "want: frame HOOK IFACE KIND HEX");
	hook = fz_hook_parse(rd->w[1]);
	ifc = fz_if_parse(rd->w[2]);
	kind = fz_kind_parse(rd->w[3]);
	h = rd->w[4];
	n = strlen(h);
	if (hook < 0 || ifc < 0 || kind < 0 || n % 2 || n / 2 > FZ_FRAME_MAX ||
	    n / 2 < FZ_FRAME_MIN)
		return fail(rd, "bad frame");
	memset(&s, 0, sizeof(s));
	s.fr.hook = hook;
	s.fr.ifc = ifc;
	s.fr.kind = (__u32)kind;
	s.fr.len = (__u32)(n / 2);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex(h[2 * i]), lo = hex(h[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return fail(rd, "bad hex at byte %zu", i);
		s.fr.data[i] = (__u8)(hi << 4 | lo);
	}
	return fz_case_push(rd->c, &s);
}

static int read_expect(struct reader *rd)
{
	char *save, *t;
	int r;

	if (rd->n != 4)
		return fail(rd, "want: expect VERDICT CLASS REASONS");
	rd->c->verdict = fz_verdict_parse(rd->w[1]);
	rd->c->pclass = fz_pclass_parse(rd->w[2]);
	if (rd->c->verdict < 0 ||
	    (rd->c->pclass < 0 && strcmp(rd->w[2], "none")))
		return fail(rd, "bad verdict or class");
	memset(rd->c->reasons, 0, sizeof(rd->c->reasons));
	for (t = strtok_r(rd->w[3], ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		r = fz_reason_parse(t);
		if (r < 0 && strcmp(t, "none"))
			return fail(rd, "bad reason '%s'", t);
		if (r >= 0)
			rd->c->reasons[r]++;
	}
	rd->c->has_expect = true;
	return 0;
}

static int read_line(struct reader *rd, char *line)
{
	char *save, *t, *rest;
	const char *k;

	rd->n = 0;
	rest = line + strspn(line, " \t");
	if (!strncmp(rest, "pending ", strlen("pending "))) {
		snprintf(rd->c->pending, sizeof(rd->c->pending), "%s",
			 rest + strlen("pending "));
		rd->c->pending[strcspn(rd->c->pending, "\n")] = 0;
		return 0;
	}
	for (t = strtok_r(line, " \t\n", &save); t && rd->n < MAX_WORDS;
	     t = strtok_r(NULL, " \t\n", &save))
		rd->w[rd->n++] = t;
	if (!rd->n || rd->w[0][0] == '#')
		return 0;
	k = rd->w[0];
	if (!strcmp(k, "iface"))
		return read_iface(rd);
	if (!strcmp(k, "rule"))
		return read_rule(rd);
	if (!strcmp(k, "allow") || !strcmp(k, "deny"))
		return read_entry(rd,
				  *k == 'a' ? XLB_LIST_ALLOW : XLB_LIST_DENY);
	if (!strcmp(k, "vip"))
		return read_vip(rd);
	if (!strcmp(k, "backend"))
		return read_backend(rd);
	if (!strcmp(k, "event"))
		return read_event(rd);
	if (!strcmp(k, "frame"))
		return read_frame(rd);
	if (!strcmp(k, "expect"))
		return read_expect(rd);
	return fail(rd, "unknown line '%s'", k);
}

int fz_case_read(const char *path, struct fz_case *c, const struct fz_net *net,
		 char *err, size_t errlen)
{
	struct reader rd = {
		.path = path, .err = err, .errlen = errlen, .c = c
	};
	FILE *f = fopen(path, "r");
	char *line = malloc(LINE_LEN);
	int ret = 0;

	if (!f || !line) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(line);
		if (f)
			fclose(f);
		return -errno;
	}
	while (!ret && fgets(line, LINE_LEN, f)) {
		rd.line++;
		if (!strchr(line, '\n') && !feof(f))
			ret = fail(&rd, "line too long");
		else
			ret = read_line(&rd, line);
	}
	fclose(f);
	free(line);
	for (size_t i = 0; !ret && i < c->cfg.n_backends; i++)
		fz_conf_backend_net(&c->cfg.backends[i], net);
	for (size_t i = 0; !ret && i < c->cfg.n_vips; i++)
		fz_conf_ring(&c->cfg, (__u32)i);
	return ret;
}
