// SPDX-License-Identifier: GPL-2.0
/*
 * Map accessors. Per-CPU values come back from the kernel as one value
 * per possible CPU, each rounded up to 8 bytes; the structs of xlb_abi.h
 * are multiples of 8, so they are read as plain arrays and summed here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "maps.h"

int maps_iface_get(int fd, __u32 ifindex, struct xlb_iface *ifc)
{
	return bpf_map_lookup_elem(fd, &ifindex, ifc) ? -errno : 0;
}

int maps_iface_set(int fd, __u32 ifindex, const struct xlb_iface *ifc)
{
	return bpf_map_update_elem(fd, &ifindex, ifc, BPF_ANY) ? -errno : 0;
}

int maps_iface_del(int fd, __u32 ifindex)
{
	if (bpf_map_delete_elem(fd, &ifindex))
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

int maps_iface_list(int fd, __u32 *ifindexes, struct xlb_iface *ifcs, int max)
{
	__u32 key, next;
	int n = 0;
	void *prev = NULL;

	while (n < max && !bpf_map_get_next_key(fd, prev, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, &ifcs[n]))
			ifindexes[n++] = next;
		key = next;
		prev = &key;
	}
	return errno == ENOENT || n == max ? n : -errno;
}

static int ncpus(void)
{
	static int n;

	if (!n)
		n = libbpf_num_possible_cpus();
	return n;
}

int maps_hook_stats_read(int fd, __u32 slot, enum xlb_hook hook,
			 struct xlb_hook_stats *sum)
{
	__u32 key = slot * XLB_HOOK_MAX + hook;
	int cpus = ncpus();
	struct xlb_hook_stats *per;
	int ret = 0;

	if (cpus <= 0)
		return cpus ? cpus : -EINVAL;
	per = calloc(cpus, sizeof(*per));
	if (!per)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(fd, &key, per))
		ret = -errno;
	for (int c = 0; !ret && c < cpus; c++) {
		for (int v = 0; v < XLB_VERDICT_MAX; v++) {
			sum->verdict[v].packets += per[c].verdict[v].packets;
			sum->verdict[v].bytes += per[c].verdict[v].bytes;
		}
		for (int p = 0; p < XLB_PCLASS_MAX; p++) {
			sum->pclass[p].packets += per[c].pclass[p].packets;
			sum->pclass[p].bytes += per[c].pclass[p].bytes;
		}
	}
	free(per);
	return ret;
}

int maps_hook_stats_clear(int fd, __u32 slot)
{
	int cpus = ncpus();
	struct xlb_hook_stats *zero;
	int ret = 0;

	if (cpus <= 0)
		return cpus ? cpus : -EINVAL;
	zero = calloc(cpus, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	for (__u32 h = 0; !ret && h < XLB_HOOK_MAX; h++) {
		__u32 key = slot * XLB_HOOK_MAX + h;

		if (bpf_map_update_elem(fd, &key, zero, BPF_ANY))
			ret = -errno;
	}
	free(zero);
	return ret;
}

int maps_reasons_read(int fd, __u64 out[XLB_REASON_MAX])
{
	int cpus = ncpus();
	struct xlb_reason_stats *per;
	int ret = 0;

	if (cpus <= 0)
		return cpus ? cpus : -EINVAL;
	per = calloc(cpus, sizeof(*per));
	if (!per)
		return -ENOMEM;
	for (__u32 r = 0; !ret && r < XLB_REASON_MAX; r++) {
		out[r] = 0;
		if (bpf_map_lookup_elem(fd, &r, per)) {
			ret = -errno;
			break;
		}
		for (int c = 0; c < cpus; c++)
			out[r] += per[c].packets;
	}
	free(per);
	return ret;
}
