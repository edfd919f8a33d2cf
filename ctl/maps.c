// SPDX-License-Identifier: GPL-2.0
/*
 * Map accessors. Per-CPU values come back from the kernel as one value
 * per possible CPU, each rounded up to 8 bytes; the structs of xlb_abi.h
 * are multiples of 8, so they are read as plain arrays and summed here.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "maps.h"

/* xlb_ifaces is an array by ifindex; `active` marks xlb's entries. */
int maps_iface_get(int fd, __u32 ifindex, struct xlb_iface *ifc)
{
	if (bpf_map_lookup_elem(fd, &ifindex, ifc))
		return -errno;
	return ifc->active ? 0 : -ENOENT;
}

int maps_iface_set(int fd, __u32 ifindex, const struct xlb_iface *ifc)
{
	struct xlb_iface v = *ifc;

	if (ifindex >= XLB_IFINDEX_MAX)
		return -ERANGE;
	v.active = 1;
	return bpf_map_update_elem(fd, &ifindex, &v, BPF_ANY) ? -errno : 0;
}

int maps_iface_del(int fd, __u32 ifindex)
{
	struct xlb_iface none = {};

	if (ifindex >= XLB_IFINDEX_MAX)
		return 0;
	return bpf_map_update_elem(fd, &ifindex, &none, BPF_ANY) ? -errno : 0;
}

#define IFACE_BATCH 4096

int maps_iface_list(int fd, __u32 *ifindexes, struct xlb_iface *ifcs, int max)
{
	__u32 *keys = calloc(IFACE_BATCH, sizeof(*keys));
	struct xlb_iface *vals = calloc(IFACE_BATCH, sizeof(*vals));
	__u32 in = 0, out, count;
	int n = 0, ret = 0;
	bool first = true;

	while (keys && vals && n < max) {
		count = IFACE_BATCH;
		ret = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys,
					   vals, &count, NULL);
		ret = ret ? -errno : 0;
		for (__u32 i = 0; i < count && n < max; i++) {
			if (!vals[i].active)
				continue;
			ifindexes[n] = keys[i];
			ifcs[n++] = vals[i];
		}
		if (ret)
			break;
		in = out;
		first = false;
	}
	if (!keys || !vals)
		ret = -ENOMEM;
	free(keys);
	free(vals);
	return ret && ret != -ENOENT ? ret : n;
}

static int ncpus(void)
{
	static int n;

	if (!n)
		n = libbpf_num_possible_cpus();
	return n;
}

/* One zeroed value of `size` bytes per possible CPU, or NULL with *err. */
static void *percpu_calloc(size_t size, int *cpus, int *err)
{
	void *p;

	*cpus = ncpus();
	if (*cpus <= 0) {
		*err = *cpus ? *cpus : -EINVAL;
		return NULL;
	}
	p = calloc(*cpus, size);
	*err = p ? 0 : -ENOMEM;
	return p;
}

int maps_hook_stats_read(int fd, __u32 slot, enum xlb_hook hook,
			 struct xlb_hook_stats *sum)
{
	/* xlb_hook_stats is an array of xlb_ctr: sum it as one. */
	const size_t n = sizeof(*sum) / sizeof(struct xlb_ctr);
	__u32 key = slot * XLB_HOOK_MAX + hook;
	struct xlb_ctr *out = (struct xlb_ctr *)sum;
	struct xlb_hook_stats *per;
	int cpus, ret;

	per = percpu_calloc(sizeof(*per), &cpus, &ret);
	if (!per)
		return ret;
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(fd, &key, per))
		ret = -errno;
	for (int c = 0; !ret && c < cpus; c++) {
		const struct xlb_ctr *in = (const struct xlb_ctr *)&per[c];

		for (size_t i = 0; i < n; i++) {
			out[i].packets += in[i].packets;
			out[i].bytes += in[i].bytes;
		}
	}
	free(per);
	return ret;
}

int maps_hook_stats_clear(int fd, __u32 slot)
{
	struct xlb_hook_stats *zero;
	int cpus, ret;

	zero = percpu_calloc(sizeof(*zero), &cpus, &ret);
	for (__u32 h = 0; zero && !ret && h < XLB_HOOK_MAX; h++) {
		__u32 key = slot * XLB_HOOK_MAX + h;

		if (bpf_map_update_elem(fd, &key, zero, BPF_ANY))
			ret = -errno;
	}
	free(zero);
	return ret;
}

int maps_reasons_read(int fd, __u64 out[XLB_REASON_MAX])
{
	struct xlb_reason_stats *per;
	int cpus, ret;

	per = percpu_calloc(sizeof(*per), &cpus, &ret);
	for (__u32 r = 0; per && !ret && r < XLB_REASON_MAX; r++) {
		out[r] = 0;
		if (bpf_map_lookup_elem(fd, &r, per))
			ret = -errno;
		for (int c = 0; !ret && c < cpus; c++)
			out[r] += per[c].packets;
	}
	free(per);
	return ret;
}

int maps_percpu_sum(int fd, __u32 key, void *sum, size_t size)
{
	const size_t n = size / sizeof(__u64);
	__u64 *out = sum, *per;
	int cpus, ret;

	per = percpu_calloc(size, &cpus, &ret);
	if (!per)
		return ret;
	memset(sum, 0, size);
	if (bpf_map_lookup_elem(fd, &key, per))
		ret = -errno;
	for (int c = 0; !ret && c < cpus; c++)
		for (size_t i = 0; i < n; i++)
			out[i] += per[c * n + i];
	free(per);
	return ret;
}

int maps_percpu_zero(int fd, __u32 key, size_t size)
{
	void *zero;
	int cpus, ret;

	zero = percpu_calloc(size, &cpus, &ret);
	if (zero && bpf_map_update_elem(fd, &key, zero, BPF_ANY))
		ret = -errno;
	free(zero);
	return ret;
}

#define NS_PER_S 1000000000ull

void maps_lb_conf_default(struct xlb_lb_conf *c)
{
	*c = (struct xlb_lb_conf){
		.syn_ns = XLB_DEFAULT_SYN_TIMEOUT * NS_PER_S,
		.tcp_ns = XLB_DEFAULT_TCP_TIMEOUT * NS_PER_S,
		.fin_ns = XLB_DEFAULT_FIN_TIMEOUT * NS_PER_S,
		.closed_ns = XLB_DEFAULT_CLOSED_TIMEOUT * NS_PER_S,
		.udp_ns = XLB_DEFAULT_UDP_TIMEOUT * NS_PER_S,
	};
}

int maps_lb_conf_set(int fd, const struct xlb_lb_conf *c)
{
	__u32 key = 0;

	return bpf_map_update_elem(fd, &key, c, BPF_ANY) ? -errno : 0;
}

int maps_own_array(const char *path, const char *name, __u32 vsize, __u32 max,
		   bool *found, char *err, size_t errlen)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd, e;

	fd = bpf_obj_get(path);
	*found = fd >= 0;
	if (fd < 0 && errno == ENOENT) {
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, sizeof(__u32),
				    vsize, max, NULL);
		if (fd >= 0 && bpf_obj_pin(fd, path)) {
			e = errno;
			close(fd);
			fd = -1;
			errno = e;
		}
	}
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	if (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != sizeof(__u32) ||
	    info.value_size != vsize || info.max_entries != max) {
		snprintf(err, errlen,
			 "%s: laid out by another build (values of %u bytes, "
			 "%u entries): detach it with the build that made it",
			 path, info.value_size, info.max_entries);
		close(fd);
		return -EPROTO;
	}
	return fd;
}
