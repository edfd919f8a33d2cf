// SPDX-License-Identifier: GPL-2.0
/*
 * Mismatches known and expected until a pending fix of the data plane
 * lands, each with the frames it applies to and the difference it
 * explains. They are reported apart and do not fail a run; an entry that
 * applied to frames of a run and explained none of them is stale (the fix
 * has landed), and fails the run until it is removed from this table.
 */
#include <stdio.h>
#include <string.h>
#include <linux/in.h>
#include <linux/in6.h>

#include "model.h"

struct fz_known {
	const char *name;
	const char *pending; /* the fix that removes it */
	bool (*applies)(const struct fz_parse *p, const struct fz_expect *e);
	bool (*explains)(const struct fz_expect *e, const struct fz_result *res,
			 const struct fz_mismatch *mm);
	__u64 seen, explained;
};

/* docs/filter.md: ARP passes, a cut one too; the filter drops it. */
static bool arp_cut(const struct fz_parse *p, const struct fz_expect *e)
{
	return e->filtered && p->reason == XLB_REASON_ARP_TRUNCATED;
}

static bool arp_cut_dropped(const struct fz_expect *e,
			    const struct fz_result *res,
			    const struct fz_mismatch *mm)
{
	(void)e;
	return res->verdict == XLB_VERDICT_DROP &&
	       res->reasons[XLB_REASON_FILTER_MALFORMED] == 1 &&
	       !(mm->parts & ~(FZ_P_VERDICT | FZ_P_REASONS));
}

static bool ipv6_ext(__u8 next)
{
	return next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING ||
	       next == IPPROTO_DSTOPTS || next == IPPROTO_FRAGMENT ||
	       next == IPPROTO_AH;
}

/* A later fragment's chain ends at its Fragment header; the parser reads
 * on into the fragment's payload when that header names another. */
static bool later_ext(const struct fz_parse *p, const struct fz_expect *e)
{
	(void)e;
	return p->family == XLB_FAMILY_V6 && p->later && ipv6_ext(p->frag_next);
}

static bool any(const struct fz_expect *e, const struct fz_result *res,
		const struct fz_mismatch *mm)
{
	(void)e;
	(void)res;
	(void)mm;
	return true;
}

/* Every XDP_ABORTED counts a reason; a redirect to an interface outside
 * xlb_tx_ports counts none. */
static bool aborts(const struct fz_parse *p, const struct fz_expect *e)
{
	(void)p;
	return e->abort_reason;
}

static bool abort_uncounted(const struct fz_expect *e,
			    const struct fz_result *res,
			    const struct fz_mismatch *mm)
{
	return res->verdict == XLB_VERDICT_ABORTED &&
	       mm->parts == FZ_P_REASONS &&
	       !memcmp(res->reasons, e->reasons, sizeof(e->reasons));
}

static struct fz_known known[] = {
	{ "a cut ARP frame is dropped by the filter",
	  "filter: a truncated ARP frame passes", arp_cut, arp_cut_dropped },
	{ "an IPv6 later fragment whose Fragment header names an extension "
	  "header",
	  "parse: a later fragment's chain ends at its Fragment header",
	  later_ext, any },
	{ "XDP_ABORTED without a reason (egress port not in xlb_tx_ports)",
	  "lb: a reason for every XDP_ABORTED", aborts, abort_uncounted },
};

#define N_KNOWN (sizeof(known) / sizeof(known[0]))

void fz_known_note(const struct fz_parse *p, const struct fz_expect *e,
		   const struct fz_result *res, struct fz_mismatch *mm,
		   bool count)
{
	for (size_t i = 0; i < N_KNOWN; i++) {
		if (!known[i].applies(p, e))
			continue;
		known[i].seen += count;
		if (mm->parts && mm->known < 0 &&
		    known[i].explains(e, res, mm)) {
			known[i].explained += count;
			mm->known = (int)i;
		}
	}
}

const char *fz_known_name(int i)
{
	return i >= 0 && (size_t)i < N_KNOWN ? known[i].name : "";
}

int fz_known_report(FILE *out)
{
	int stale = 0;

	for (size_t i = 0; i < N_KNOWN; i++) {
		const struct fz_known *k = &known[i];

		if (k->explained)
			fprintf(out,
				"known    %llu of %llu frames: %s (until \"%s\")\n",
				(unsigned long long)k->explained,
				(unsigned long long)k->seen, k->name,
				k->pending);
		else if (k->seen) {
			fprintf(out,
				"STALE    known mismatch never seen in %llu "
				"frames it applies to: \"%s\" has landed; "
				"remove \"%s\" from fuzz_known.c\n",
				(unsigned long long)k->seen, k->pending,
				k->name);
			stale++;
		}
	}
	return stale;
}

void fz_known_clear(void)
{
	for (size_t i = 0; i < N_KNOWN; i++)
		known[i].seen = known[i].explained = 0;
}
