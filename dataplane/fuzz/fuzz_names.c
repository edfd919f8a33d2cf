// SPDX-License-Identifier: GPL-2.0
/*
 * Names for the fuzzer's output and its case files: hooks, verdicts,
 * classes and reasons as xlbctl stats names them (ctl/stats.c), the
 * interfaces of the fuzzer's namespace and the kinds of frames.
 */
#include <string.h>

#include "fuzz.h"
#include "stats.h"

static const char *const kind_names[FZ_K_MAX] = {
	[FZ_K_OTHER] = "other",	  [FZ_K_ARP] = "arp",
	[FZ_K_IPV4] = "ipv4",	  [FZ_K_IPV6] = "ipv6",
	[FZ_K_FRAG] = "fragment", [FZ_K_ICMP_ERR] = "icmp-error",
	[FZ_K_VIP] = "vip-flow",  [FZ_K_REPLY] = "nat-reply",
};

static const char *const if_names[FZ_IF_MAX] = { "lo", "xt0", "xt1" };

static const char *name_of(const char *const *names, int n, int i)
{
	return i >= 0 && i < n && names[i] ? names[i] : "none";
}

static int index_of(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return i;
	return -1;
}

const char *fz_kind_str(__u32 kind)
{
	return name_of(kind_names, FZ_K_MAX, (int)kind);
}

const char *fz_if_str(enum fz_if ifc)
{
	return name_of(if_names, FZ_IF_MAX, ifc);
}

const char *fz_hook_str(enum xlb_hook hook)
{
	return name_of(xlb_hook_names, XLB_HOOK_MAX, hook);
}

const char *fz_verdict_str(int verdict)
{
	return name_of(xlb_verdict_names, XLB_VERDICT_MAX, verdict);
}

const char *fz_pclass_str(int pclass)
{
	return name_of(xlb_pclass_names, XLB_PCLASS_MAX, pclass);
}

const char *fz_reason_str(int reason)
{
	return name_of(xlb_reason_names, XLB_REASON_MAX, reason);
}

int fz_verdict_parse(const char *s)
{
	return index_of(xlb_verdict_names, XLB_VERDICT_MAX, s);
}

int fz_hook_parse(const char *s)
{
	return index_of(xlb_hook_names, XLB_HOOK_MAX, s);
}

int fz_if_parse(const char *s)
{
	return index_of(if_names, FZ_IF_MAX, s);
}

int fz_pclass_parse(const char *s)
{
	return index_of(xlb_pclass_names, XLB_PCLASS_MAX, s);
}

int fz_reason_parse(const char *s)
{
	return index_of(xlb_reason_names, XLB_REASON_MAX, s);
}

int fz_kind_parse(const char *s)
{
	return index_of(kind_names, FZ_K_MAX, s);
}
