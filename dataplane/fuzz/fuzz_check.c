// SPDX-License-Identifier: GPL-2.0
/*
 * The comparison of a frame's outcome with the model's: the verdict; the
 * class and verdict counted at the hook; every reason counted (exactly,
 * but for lb_nat_frag_unmatched, which the model leaves open for a later
 * fragment to an address whose hint byte an snat address shares); the
 * frame as it left, byte for byte, checksum fields as one's complement
 * values (0 and 0xffff alike) but a UDP/IPv4 checksum of 0, which must
 * stay 0; and the invariants of the data plane's free choices the model
 * checked.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

static void say(struct fz_mismatch *mm, unsigned int part, const char *fmt, ...)
{
	size_t n = strlen(mm->text);
	va_list ap;

	mm->parts |= part;
	if (n + 1 >= sizeof(mm->text))
		return;
	va_start(ap, fmt);
	vsnprintf(mm->text + n, sizeof(mm->text) - n, fmt, ap);
	va_end(ap);
	n = strlen(mm->text);
	if (n + 1 < sizeof(mm->text))
		strcpy(mm->text + n, "\n");
}

static void check_reasons(const struct fz_expect *e,
			  const struct fz_result *res, struct fz_mismatch *mm)
{
	int diff[XLB_REASON_MAX];
	char more[256] = "", less[256] = "";

	for (int r = 0; r < XLB_REASON_MAX; r++)
		diff[r] = (int)res->reasons[r] - (int)e->reasons[r];
	if (e->maybe_frag_unmatched &&
	    diff[XLB_REASON_LB_NAT_FRAG_UNMATCHED] == 1)
		diff[XLB_REASON_LB_NAT_FRAG_UNMATCHED] = 0;
	for (int r = 0; r < XLB_REASON_MAX; r++) {
		char *to = diff[r] > 0 ? more : less;

		if (!diff[r])
			continue;
		snprintf(to + strlen(to), sizeof(more) - strlen(to), " %s%+d",
			 fz_reason_str(r), diff[r]);
	}
	if (more[0] || less[0])
		say(mm, FZ_P_REASONS,
		    "reasons: counted beyond the model:%s%s%s",
		    more[0] ? more : " none", less[0] ? "; short of it:" : "",
		    less);
}

/* Is the byte at off part of a checksum compared in one's complement? */
static const struct fz_csum *csum_at(const struct fz_expect *e, __u32 off)
{
	for (int i = 0; i < e->n_csums; i++)
		if (off == e->csums[i].off || off == e->csums[i].off + 1)
			return &e->csums[i];
	return NULL;
}

static bool csum_same(const __u8 *a, const __u8 *b, bool keep_zero)
{
	__u16 x = (__u16)(a[0] << 8 | a[1]), y = (__u16)(b[0] << 8 | b[1]);

	if (x == y)
		return true;
	return !keep_zero && (x == 0 || x == 0xffff) && (y == 0 || y == 0xffff);
}

static void check_out(const struct fz_expect *e, const struct fz_result *res,
		      struct fz_mismatch *mm)
{
	if (res->out_len != e->out_len) {
		say(mm, FZ_P_OUT, "frame out: %u bytes, want %u", res->out_len,
		    e->out_len);
		return;
	}
	for (__u32 i = 0; i < e->out_len; i++) {
		const struct fz_csum *c = csum_at(e, i);

		if (c && i == c->off &&
		    csum_same(res->out + i, e->out + i, c->keep_zero)) {
			i++;
			continue;
		}
		if (res->out[i] == e->out[i])
			continue;
		say(mm, FZ_P_OUT, "frame out: byte %u is %#04x, want %#04x%s",
		    i, res->out[i], e->out[i], c ? " (a checksum)" : "");
		return;
	}
}

bool fz_check(const struct fz_expect *e, const struct fz_result *res,
	      struct fz_mismatch *mm)
{
	memset(mm, 0, sizeof(*mm));
	mm->known = -1;
	if (e->why[0])
		say(mm, FZ_P_WHY, "%s", e->why);
	if (res->verdict != e->verdict)
		say(mm, FZ_P_VERDICT, "verdict %s, want %s",
		    fz_verdict_str(res->verdict), fz_verdict_str(e->verdict));
	if (res->pclass != e->pclass)
		say(mm, FZ_P_CLASS, "class counted %s, want %s",
		    fz_pclass_str(res->pclass), fz_pclass_str(e->pclass));
	if (e->pclass >= 0 && res->vclass != res->verdict)
		say(mm, FZ_P_COUNTED, "verdict counted %s, returned %s",
		    fz_verdict_str(res->vclass), fz_verdict_str(res->verdict));
	check_reasons(e, res, mm);
	if (e->check_out && res->verdict == e->verdict)
		check_out(e, res, mm);
	return !mm->parts;
}
