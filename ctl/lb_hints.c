// SPDX-License-Identifier: GPL-2.0
/*
 * Building the VIP hints from the VIP keys. Bytes hold flags, not
 * counts: the whole table is rebuilt from the (at most XLB_MAX_VIPS)
 * keys on every change and compared line by line with what the map
 * holds. A line is written whole; the flags a VIP keeps are the same
 * bytes before and after, so no reader ever sees them cleared. Each
 * write ends by bumping the VIP generation (XLB_VIP_GEN_LINE).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "lb_hints.h"
#include "xlb_hash.h"

/*
 * A new VIP generation: the data plane's flow caches drop what they
 * learnt before this write (VIPs deleted just before it, in particular).
 */
static int bump_gen(int fd)
{
	struct xlb_vip_gen g = {};
	__u32 line = XLB_VIP_GEN_LINE;

	if (bpf_map_lookup_elem(fd, &line, &g))
		return -errno;
	g.gen++;
	return bpf_map_update_elem(fd, &line, &g, BPF_ANY) ? -errno : 0;
}

int lb_hints_write(int fd, const struct xlb_vip_key *keys, size_t n,
		   const struct lb_hint_addr *snat, size_t nsnat)
{
	struct xlb_bloom_line *want = calloc(XLB_VIP_HINT_LINES, sizeof(*want));
	struct xlb_bloom_line cur;
	int ret = 0;

	if (!want)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		__u32 h = xlb_addr_hash(keys[i].addr, keys[i].family);

		want[xlb_hint_line(h)].count[xlb_hint_pos(h)] |=
			keys[i].port ? XLB_HINT_PORT : XLB_HINT_ALL_PORTS;
	}
	for (size_t i = 0; i < nsnat; i++) {
		__u32 h = xlb_addr_hash(snat[i].addr, snat[i].family);

		want[xlb_hint_line(h)].count[xlb_hint_pos(h)] |= XLB_HINT_SNAT;
	}
	for (__u32 line = 0; !ret && line < XLB_VIP_HINT_LINES; line++) {
		if (!bpf_map_lookup_elem(fd, &line, &cur) &&
		    !memcmp(&cur, &want[line], sizeof(cur)))
			continue;
		if (bpf_map_update_elem(fd, &line, &want[line], BPF_ANY))
			ret = -errno;
	}
	free(want);
	return ret ? ret : bump_gen(fd);
}
