// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz case files (case.h): one line per item, keyword first, '#' lines
 * comments.
 *
 *   pending TEXT
 *   iface lo|xt0|xt1 off | slot N stages filter,lb|none attach xdp|none
 *   rule order N drop|pass hook H [src P] [dst P] [proto P] [sport N] [dport N]
 *   allow|deny ingress|egress PREFIX
 *   vip ID ADDR PORT tcp|udp dsr|nat [pool ADDR,...]
 *   backend ID VIP ADDR port N weight N flags active,resolved,down|none
 *           egress lo|xt0|xt1 [snat ADDR]       (VIP: the vip line's index)
 *   event BACKEND flags F weight N              (BACKEND: the line's index)
 *   frame HOOK IFACE KIND HEX
 *   expect VERDICT CLASS REASON,...|none        (the last frame's outcome)
 *
 * Rules are in xlbctl's grammar (xlb_format_rule(), parsed back with
 * ctl/rule.c's parsers); prefixes, protocols and hooks likewise.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/in.h>
#include <linux/in6.h>

#include "case.h"

#define LINE_MAX_LEN (2 * FZ_FRAME_MAX + 128)
#define STEPS_FIRST 64

int fz_case_init(struct fz_case *c)
{
	memset(c, 0, sizeof(*c));
	c->cap = STEPS_FIRST;
	c->steps = calloc(c->cap, sizeof(*c->steps));
	return c->steps ? 0 : -ENOMEM;
}

void fz_case_free(struct fz_case *c)
{
	free(c->steps);
	c->steps = NULL;
}

int fz_case_push(struct fz_case *c, const struct fz_step *s)
{
	if (c->n == c->cap) {
		struct fz_step *more =
			realloc(c->steps, 2 * c->cap * sizeof(*more));

		if (!more)
			return -ENOMEM;
		c->steps = more;
		c->cap *= 2;
	}
	c->steps[c->n++] = *s;
	return 0;
}

static const char *addr_str(const __be32 *a, int family, char *buf)
{
	return inet_ntop(family == XLB_FAMILY_V4 ? AF_INET : AF_INET6, a, buf,
			 INET6_ADDRSTRLEN);
}

static const char *flags_str(__u8 flags, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s",
		 flags & XLB_BACKEND_ACTIVE ? ",active" : "",
		 flags & XLB_BACKEND_RESOLVED ? ",resolved" : "",
		 flags & XLB_BACKEND_DOWN ? ",down" : "", flags ? "" : ",none");
	return buf + 1;
}

static void write_filter(FILE *f, const struct fz_config *c)
{
	static const char *const stages[] = { "none", "filter", "lb",
					      "filter,lb" };
	char buf[256], pfx[INET6_ADDRSTRLEN + 8];

	for (int i = 0; i < FZ_IF_MAX; i++) {
		const struct fz_iface_conf *ic = &c->ifs[i];

		if (!ic->on) {
			fprintf(f, "iface %s off\n", fz_if_str(i));
			continue;
		}
		fprintf(f, "iface %s slot %u stages %s attach %s\n",
			fz_if_str(i), ic->slot, stages[ic->stages & 3],
			ic->attach ? "xdp" : "none");
	}
	for (size_t i = 0; i < c->n_rules; i++)
		if (xlb_format_rule(&c->rules[i], buf, sizeof(buf)) >= 0)
			fprintf(f, "rule %s\n", buf);
	for (size_t i = 0; i < c->n_entries; i++) {
		const struct xlb_list_entry *e = &c->entries[i];

		xlb_format_prefix(&e->prefix, pfx, sizeof(pfx));
		fprintf(f, "%s %s %s\n", xlb_list_str(e->list),
			xlb_dir_str(e->dir), pfx);
	}
}

static void write_lb(FILE *f, const struct fz_config *c)
{
	char a[INET6_ADDRSTRLEN], fl[32];

	for (size_t i = 0; i < c->n_vips; i++) {
		const struct fz_vip *v = &c->vips[i];

		fprintf(f, "vip %u %s %u %s %s", v->id,
			addr_str(v->key.addr, v->key.family, a),
			ntohs(v->key.port),
			v->key.proto == IPPROTO_TCP ? "tcp" : "udp",
			v->mode == XLB_MODE_NAT ? "nat" : "dsr");
		for (__u32 j = 0; j < v->pool.count; j++)
			fprintf(f, "%s%s", j ? "," : " pool ",
				addr_str(v->pool.addr[j], v->key.family, a));
		fputc('\n', f);
	}
	for (size_t i = 0; i < c->n_backends; i++) {
		const struct fz_backend *b = &c->backends[i];

		fprintf(f,
			"backend %u %u %s port %u weight %u flags %s egress %s",
			b->id, b->vip, addr_str(b->b.addr, b->b.family, a),
			ntohs(b->b.port), b->weight,
			flags_str(b->b.flags, fl, sizeof(fl)),
			fz_if_str(b->egress));
		if (c->vips[b->vip].mode == XLB_MODE_NAT)
			fprintf(f, " snat %s",
				addr_str(b->b.snat, b->b.family, a));
		fputc('\n', f);
	}
}

static void write_steps(FILE *f, const struct fz_case *c)
{
	char fl[32];
	int n = 0;

	for (size_t i = 0; i < c->n; i++) {
		const struct fz_step *s = &c->steps[i];

		if (s->is_event) {
			fprintf(f, "event %u flags %s weight %u\n",
				s->ev.backend,
				flags_str(s->ev.flags, fl, sizeof(fl)),
				s->ev.weight);
			continue;
		}
		fprintf(f, "frame %s %s %s ", fz_hook_str(s->fr.hook),
			fz_if_str(s->fr.ifc), fz_kind_str(s->fr.kind));
		for (__u32 j = 0; j < s->fr.len; j++)
			fprintf(f, "%02x", s->fr.data[j]);
		fputc('\n', f);
	}
	if (!c->has_expect)
		return;
	fprintf(f, "expect %s %s ", fz_verdict_str(c->verdict),
		fz_pclass_str(c->pclass));
	for (int r = 0; r < XLB_REASON_MAX; r++)
		for (__u32 k = 0; k < c->reasons[r]; k++)
			fprintf(f, "%s%s", n++ ? "," : "", fz_reason_str(r));
	fprintf(f, "%s\n", n ? "" : "none");
}

int fz_case_write(const struct fz_case *c, const char *path, const char *head)
{
	FILE *f = fopen(path, "w");
	const char *line = head;

	if (!f)
		return -errno;
	fputs("# SPDX-License-Identifier: GPL-2.0\n", f);
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		int len = nl ? (int)(nl - line) : (int)strlen(line);

		fprintf(f, "# %.*s\n", len, line);
		line = nl ? nl + 1 : NULL;
	}
	if (c->pending[0])
		fprintf(f, "pending %s\n", c->pending);
	write_filter(f, &c->cfg);
	write_lb(f, &c->cfg);
	write_steps(f, c);
	return fclose(f) ? -errno : 0;
}
