// SPDX-License-Identifier: GPL-2.0
/*
 * Loading, pinning, adopting and attaching the data plane. Programs are
 * pinned as prog_<name> and maps by their own names under the pin dir; a
 * daemon that finds them adopts them instead of loading twice, so a
 * restart never disturbs traffic or counters. XDP goes through libxdp,
 * which on kernels without a working dispatcher falls back to attaching
 * the one program directly; tc goes through libbpf's bpf_tc_* (clsact,
 * direct action) with xlb's own handle and priority.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "loader.h"
#include "log.h"
#include "util.h"
#include "xlb.skel.h"

#define ERRF(...) snprintf(err, errlen, __VA_ARGS__)

struct pinned_prog {
	const char *pin; /* file name under the pin dir */
	size_t fd_off, id_off; /* where its fd and id live in struct xlb_dp */
};

static const struct pinned_prog pinned_progs[] = {
	{ "prog_xdp", offsetof(struct xlb_dp, prog_xdp),
	  offsetof(struct xlb_dp, id_xdp) },
	{ "prog_tc_ingress", offsetof(struct xlb_dp, prog_tc_ingress),
	  offsetof(struct xlb_dp, id_tc_ingress) },
	{ "prog_tc_egress", offsetof(struct xlb_dp, prog_tc_egress),
	  offsetof(struct xlb_dp, id_tc_egress) },
};

struct pinned_map {
	const char *pin; /* the map's name, which is also its pin */
	size_t fd_off;
};

static const struct pinned_map pinned_maps[] = {
	{ "xlb_ifaces", offsetof(struct xlb_dp, map_ifaces) },
	{ "xlb_hook_stats", offsetof(struct xlb_dp, map_hook_stats) },
	{ "xlb_reasons", offsetof(struct xlb_dp, map_reasons) },
	{ "xlb_meta", offsetof(struct xlb_dp, map_meta) },
	{ "xlb_shapes", offsetof(struct xlb_dp, map_shapes) },
	{ "xlb_rules", offsetof(struct xlb_dp, map_rules) },
	{ "xlb_rule_stats", offsetof(struct xlb_dp, map_rule_stats) },
	{ "xlb_rule_specs", offsetof(struct xlb_dp, map_rule_specs) },
	{ "xlb_allow4", offsetof(struct xlb_dp, map_allow4) },
	{ "xlb_allow6", offsetof(struct xlb_dp, map_allow6) },
	{ "xlb_deny4", offsetof(struct xlb_dp, map_deny4) },
	{ "xlb_deny6", offsetof(struct xlb_dp, map_deny6) },
	{ "xlb_list_stats", offsetof(struct xlb_dp, map_list_stats) },
	{ "xlb_list_specs", offsetof(struct xlb_dp, map_list_specs) },
	{ "xlb_filter_conf", offsetof(struct xlb_dp, map_filter_conf) },
	{ "xlb_frags", offsetof(struct xlb_dp, map_frags) },
	{ "xlb_rule_bloom", offsetof(struct xlb_dp, map_rule_bloom) },
	{ "xlb_vips", offsetof(struct xlb_dp, map_vips) },
	{ "xlb_vip_hints", offsetof(struct xlb_dp, map_vip_hints) },
	{ "xlb_ring", offsetof(struct xlb_dp, map_ring) },
	{ "xlb_backends", offsetof(struct xlb_dp, map_backends) },
	{ "xlb_conns", offsetof(struct xlb_dp, map_conns) },
	{ "xlb_syns", offsetof(struct xlb_dp, map_syns) },
	{ "xlb_nat_rev", offsetof(struct xlb_dp, map_nat_rev) },
	{ "xlb_tx_ports", offsetof(struct xlb_dp, map_tx_ports) },
	{ "xlb_vip_stats", offsetof(struct xlb_dp, map_vip_stats) },
	{ "xlb_backend_stats", offsetof(struct xlb_dp, map_backend_stats) },
};

static int read_sizes(struct xlb_dp *dp);

static int *fd_at(struct xlb_dp *dp, size_t off)
{
	return (int *)((char *)dp + off);
}

static __u32 prog_id_of(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

static void pin_path(const struct xlb_dp *dp, const char *name, char *buf,
		     size_t len)
{
	snprintf(buf, len, "%s/%s", dp->pin_dir, name);
}

/* The pin dir must live on bpffs; create it (0700) and lock it. */
static int prepare_pin_dir(struct xlb_dp *dp, bool create, char *err,
			   size_t errlen)
{
	char parent[PATH_MAX];
	struct statfs sfs;

	snprintf(parent, sizeof(parent), "%s", dp->pin_dir);
	if (statfs(dirname(parent), &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		ERRF("%s is not on a bpf filesystem (mount -t bpf bpf %s)",
		     dp->pin_dir, parent);
		return -ENOTSUP;
	}
	if (mkdir(dp->pin_dir, 0700) && errno != EEXIST) {
		ERRF("%s: %s", dp->pin_dir, strerror(errno));
		return -errno;
	}
	if (!create && access(dp->pin_dir, F_OK))
		return -ENOENT;
	dp->lock_fd = open(dp->pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dp->lock_fd < 0) {
		ERRF("%s: %s", dp->pin_dir, strerror(errno));
		return -errno;
	}
	if (flock(dp->lock_fd, LOCK_EX | LOCK_NB)) {
		int e = errno;

		ERRF("%s: %s", dp->pin_dir,
		     e == EWOULDBLOCK ? "in use by another xlbd" : strerror(e));
		return -e;
	}
	return 0;
}

static int check_meta(struct xlb_dp *dp, char *err, size_t errlen)
{
	struct xlb_meta meta = {};
	__u32 key = 0;

	if (bpf_map_lookup_elem(dp->map_meta, &key, &meta)) {
		ERRF("%s/xlb_meta: %s", dp->pin_dir, strerror(errno));
		return -errno;
	}
	if (meta.abi_version == 0) {
		meta.abi_version = XLB_ABI_VERSION;
		meta.loaded_at_ns = (__u64)time(NULL) * 1000000000ull;
		if (bpf_map_update_elem(dp->map_meta, &key, &meta, BPF_ANY)) {
			ERRF("%s/xlb_meta: %s", dp->pin_dir, strerror(errno));
			return -errno;
		}
	} else if (meta.abi_version != XLB_ABI_VERSION) {
		ERRF("%s holds state of map layout v%u, this build uses v%u: "
		     "detach it with the build that made it (xlbd --detach)",
		     dp->pin_dir, meta.abi_version, XLB_ABI_VERSION);
		return -EPROTO;
	}
	return 0;
}

/* Open every pin; programs may be missing only when `partial`. */
static int adopt(struct xlb_dp *dp, bool partial, char *err, size_t errlen)
{
	char path[PATH_MAX + 32];
	int ret;

	for (size_t i = 0; i < ARRAY_SIZE(pinned_maps); i++) {
		pin_path(dp, pinned_maps[i].pin, path, sizeof(path));
		*fd_at(dp, pinned_maps[i].fd_off) = bpf_obj_get(path);
		if (*fd_at(dp, pinned_maps[i].fd_off) < 0) {
			ERRF("%s: %s", path, strerror(errno));
			return -errno;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(pinned_progs); i++) {
		int fd;

		pin_path(dp, pinned_progs[i].pin, path, sizeof(path));
		fd = bpf_obj_get(path);
		if (fd < 0 && !partial) {
			ERRF("%s: %s", path, strerror(errno));
			return -errno;
		}
		*fd_at(dp, pinned_progs[i].fd_off) = fd;
		*(__u32 *)((char *)dp + pinned_progs[i].id_off) =
			fd < 0 ? 0 : prog_id_of(fd);
	}
	dp->adopted = true;
	ret = check_meta(dp, err, errlen);
	if (!ret && read_sizes(dp)) {
		ERRF("%s: reading map sizes: %s", dp->pin_dir, strerror(errno));
		ret = -errno;
	}
	return ret;
}

/* Size the filter's maps before load (DESIGN: map sizes from config). */
int dp_size_maps(struct xlb *skel, __u32 max_rules, __u32 max_prefixes)
{
	struct {
		struct bpf_map *map;
		__u32 n;
	} sizes[] = {
		{ skel->maps.xlb_rules, 2 * max_rules },
		{ skel->maps.xlb_rule_stats, max_rules + 1 },
		{ skel->maps.xlb_rule_specs, max_rules + 1 },
		{ skel->maps.xlb_allow4, max_prefixes },
		{ skel->maps.xlb_allow6, max_prefixes },
		{ skel->maps.xlb_deny4, max_prefixes },
		{ skel->maps.xlb_deny6, max_prefixes },
		{ skel->maps.xlb_list_stats, max_prefixes + 1 },
		{ skel->maps.xlb_list_specs, max_prefixes + 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		int ret = bpf_map__set_max_entries(sizes[i].map, sizes[i].n);

		if (ret)
			return ret;
	}
	return 0;
}

/* The filter's sizes as the maps have them (adopted maps keep theirs). */
static int read_sizes(struct xlb_dp *dp)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(dp->map_rule_specs, &info, &len))
		return -errno;
	dp->max_rules = info.max_entries - 1;
	memset(&info, 0, sizeof(info));
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(dp->map_list_specs, &info, &len))
		return -errno;
	dp->max_prefixes = info.max_entries - 1;
	return 0;
}

static int load(struct xlb_dp *dp, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = dp->pin_dir);
	struct bpf_program *progs[ARRAY_SIZE(pinned_progs)];
	struct bpf_map *maps[ARRAY_SIZE(pinned_maps)];
	char path[PATH_MAX + 32], msg[128];
	struct xlb *skel;
	int ret = 0;

	skel = xlb__open_opts(&opts);
	if (!skel) {
		ERRF("opening the BPF object: %s", strerror(errno));
		return -errno;
	}
	ret = dp_size_maps(skel, dp->max_rules, dp->max_prefixes);
	if (!ret)
		ret = xlb__load(skel);
	if (ret) {
		libbpf_strerror(ret, msg, sizeof(msg));
		ERRF("loading the BPF object (pins in %s): %s%s", dp->pin_dir,
		     msg,
		     ret == -EINVAL ?
			     " (pinned maps from another build? see -v)" :
			     "");
		goto out;
	}
	progs[0] = skel->progs.xlb_xdp;
	progs[1] = skel->progs.xlb_tc_ingress;
	progs[2] = skel->progs.xlb_tc_egress;
	for (size_t i = 0; i < ARRAY_SIZE(pinned_maps); i++) {
		maps[i] = bpf_object__find_map_by_name(skel->obj,
						       pinned_maps[i].pin);
		if (!maps[i]) {
			ret = -ENOENT;
			ERRF("BPF object has no map %s", pinned_maps[i].pin);
			goto out;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(pinned_progs); i++) {
		int fd = bpf_program__fd(progs[i]);

		pin_path(dp, pinned_progs[i].pin, path, sizeof(path));
		if (bpf_obj_pin(fd, path)) {
			ret = -errno;
			ERRF("pinning %s: %s", path, strerror(errno));
			goto out;
		}
		*fd_at(dp, pinned_progs[i].fd_off) = dup(fd);
		*(__u32 *)((char *)dp + pinned_progs[i].id_off) =
			prog_id_of(fd);
	}
	for (size_t i = 0; i < ARRAY_SIZE(pinned_maps); i++)
		*fd_at(dp, pinned_maps[i].fd_off) = dup(bpf_map__fd(maps[i]));
	ret = check_meta(dp, err, errlen);
	if (!ret)
		ret = read_sizes(dp);
out:
	xlb__destroy(skel);
	return ret;
}

static void dp_init(struct xlb_dp *dp)
{
	memset(dp, 0, sizeof(*dp));
	dp->lock_fd = -1;
	for (size_t i = 0; i < ARRAY_SIZE(pinned_progs); i++)
		*fd_at(dp, pinned_progs[i].fd_off) = -1;
	for (size_t i = 0; i < ARRAY_SIZE(pinned_maps); i++)
		*fd_at(dp, pinned_maps[i].fd_off) = -1;
}

int dp_open(struct xlb_dp *dp, const char *pin_dir, bool adopt_only,
	    __u32 max_rules, __u32 max_prefixes, char *err, size_t errlen)
{
	char path[PATH_MAX + 32];
	int ret;

	dp_init(dp);
	dp->max_rules = max_rules;
	dp->max_prefixes = max_prefixes;
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", pin_dir);
	ret = prepare_pin_dir(dp, !adopt_only, err, errlen);
	if (ret)
		goto fail;
	pin_path(dp, pinned_progs[0].pin, path, sizeof(path));
	if (!access(path, F_OK)) {
		ret = adopt(dp, adopt_only, err, errlen);
	} else if (adopt_only) {
		pin_path(dp, pinned_maps[0].pin, path, sizeof(path));
		ret = access(path, F_OK) ? -ENOENT :
					   adopt(dp, true, err, errlen);
	} else {
		ret = load(dp, err, errlen);
	}
	if (ret)
		goto fail;
	return 0;
fail:
	dp_close(dp);
	return ret;
}

void dp_close(struct xlb_dp *dp)
{
	for (size_t i = 0; i < ARRAY_SIZE(pinned_progs); i++)
		if (*fd_at(dp, pinned_progs[i].fd_off) >= 0)
			close(*fd_at(dp, pinned_progs[i].fd_off));
	for (size_t i = 0; i < ARRAY_SIZE(pinned_maps); i++)
		if (*fd_at(dp, pinned_maps[i].fd_off) >= 0)
			close(*fd_at(dp, pinned_maps[i].fd_off));
	if (dp->lock_fd >= 0)
		close(dp->lock_fd);
	dp_init(dp);
}

/* Remove xlb's own pins, then the directory if nothing else is in it. */
int dp_unpin(struct xlb_dp *dp)
{
	char path[PATH_MAX + 32];
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(pinned_progs); i++) {
		pin_path(dp, pinned_progs[i].pin, path, sizeof(path));
		if (unlink(path) && errno != ENOENT) {
			log_err("removing pin %s: %s", path, strerror(errno));
			ret = -errno;
		}
	}
	for (size_t i = 0; i <= ARRAY_SIZE(pinned_maps); i++) {
		pin_path(dp,
			 i < ARRAY_SIZE(pinned_maps) ? pinned_maps[i].pin :
						       XLB_PIN_LB_SPECS,
			 path, sizeof(path));
		if (unlink(path) && errno != ENOENT) {
			log_err("removing pin %s: %s", path, strerror(errno));
			ret = -errno;
		}
	}
	if (!ret && rmdir(dp->pin_dir) && errno != ENOENT) {
		log_err("removing %s: %s", dp->pin_dir, strerror(errno));
		ret = -errno;
	}
	return ret;
}

static enum xdp_attach_mode xdp_mode_of(enum xlb_xdp_mode mode)
{
	return mode == XLB_XDP_GENERIC ? XDP_MODE_SKB : XDP_MODE_NATIVE;
}

/*
 * The XDP programs attached to ifindex, or NULL when there are none.
 * Returns the multiprog to close with xdp_multiprog__close().
 */
static struct xdp_multiprog *xdp_get(int ifindex, int *ret)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);

	*ret = libxdp_get_error(mp);
	if (*ret == -ENOENT || (!*ret && !mp)) {
		*ret = 0;
		return NULL;
	}
	return *ret ? NULL : mp;
}

/* xlb's program among those of mp, or NULL. */
static struct xdp_program *xdp_find_ours(struct xlb_dp *dp,
					 struct xdp_multiprog *mp)
{
	struct xdp_program *p;

	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		return p && xdp_program__id(p) == dp->id_xdp ? p : NULL;
	}
	for (p = xdp_multiprog__next_prog(NULL, mp); p;
	     p = xdp_multiprog__next_prog(p, mp))
		if (xdp_program__id(p) == dp->id_xdp)
			return p;
	return NULL;
}

int dp_query_xdp(struct xlb_dp *dp, int ifindex, struct dp_hook_state *st)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	int ret;

	memset(st, 0, sizeof(*st));
	mp = xdp_get(ifindex, &ret);
	if (!mp)
		return ret;
	p = xdp_find_ours(dp, mp);
	if (p) {
		st->attached = true;
		st->prog_id = xdp_program__id(p);
		st->mode = xdp_multiprog__attach_mode(mp) == XDP_MODE_SKB ?
				   XLB_XDP_GENERIC :
				   XLB_XDP_NATIVE;
		st->dispatcher = !xdp_multiprog__is_legacy(mp);
	} else {
		st->foreign = true;
	}
	xdp_multiprog__close(mp);
	return 0;
}

int dp_attach_xdp(struct xlb_dp *dp, int ifindex, enum xlb_xdp_mode mode,
		  char *err, size_t errlen)
{
	struct dp_hook_state st;
	struct xdp_program *prog;
	char msg[128];
	int ret;

	ret = dp_query_xdp(dp, ifindex, &st);
	if (ret) {
		libxdp_strerror(ret, msg, sizeof(msg));
		ERRF("reading XDP state: %s", msg);
		return ret;
	}
	if (st.attached && st.mode == mode)
		return 0;
	if (st.attached) {
		/* A mode change is the one case that needs a new attachment:
		 * the kernel cannot move a program between modes in place. */
		ret = dp_detach_xdp(dp, ifindex, err, errlen);
		if (ret)
			return ret;
	}
	prog = xdp_program__from_fd(dp->prog_xdp);
	ret = libxdp_get_error(prog);
	if (ret) {
		libxdp_strerror(ret, msg, sizeof(msg));
		ERRF("XDP program: %s", msg);
		return ret;
	}
	ret = xdp_program__attach(prog, ifindex, xdp_mode_of(mode), 0);
	xdp_program__close(prog);
	if (ret) {
		libxdp_strerror(ret, msg, sizeof(msg));
		ERRF("attaching XDP (%s): %s%s", xlb_xdp_mode_str(mode), msg,
		     st.foreign ? " (another XDP program is attached)" : "");
	}
	return ret;
}

int dp_detach_xdp(struct xlb_dp *dp, int ifindex, char *err, size_t errlen)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	char msg[128];
	int ret;

	mp = xdp_get(ifindex, &ret);
	if (!mp) {
		/* Nothing attached, or the interface is gone: nothing to do. */
		return ret == -ENODEV ? 0 : ret;
	}
	p = xdp_find_ours(dp, mp);
	if (p && xdp_multiprog__is_legacy(mp))
		ret = xdp_multiprog__detach(mp);
	else if (p)
		ret = xdp_program__detach(p, ifindex,
					  xdp_multiprog__attach_mode(mp), 0);
	xdp_multiprog__close(mp);
	if (ret) {
		libxdp_strerror(ret, msg, sizeof(msg));
		ERRF("detaching XDP: %s", msg);
	}
	return ret;
}

static int tc_prog_fd(struct xlb_dp *dp, unsigned int dir, __u32 *id)
{
	*id = dir == XLB_TC_INGRESS ? dp->id_tc_ingress : dp->id_tc_egress;
	return dir == XLB_TC_INGRESS ? dp->prog_tc_ingress : dp->prog_tc_egress;
}

static enum bpf_tc_attach_point tc_point(unsigned int dir)
{
	return dir == XLB_TC_INGRESS ? BPF_TC_INGRESS : BPF_TC_EGRESS;
}

int dp_query_tc(struct xlb_dp *dp, int ifindex, unsigned int dir,
		struct dp_hook_state *st)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = tc_point(dir));
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XLB_TC_HANDLE,
		    .priority = XLB_TC_PRIORITY);
	__u32 ours;
	int ret;

	memset(st, 0, sizeof(*st));
	tc_prog_fd(dp, dir, &ours);
	ret = bpf_tc_query(&hook, &opts);
	if (ret == -ENOENT || ret == -EINVAL)
		return 0; /* no clsact, or no filter at xlb's handle */
	if (ret)
		return ret;
	st->prog_id = opts.prog_id;
	st->attached = opts.prog_id == ours;
	st->foreign = !st->attached;
	return 0;
}

int dp_attach_tc(struct xlb_dp *dp, int ifindex, unsigned int dir,
		 bool *created, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = tc_point(dir));
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XLB_TC_HANDLE,
		    .priority = XLB_TC_PRIORITY, .flags = BPF_TC_F_REPLACE);
	const char *name = dir == XLB_TC_INGRESS ? "ingress" : "egress";
	struct dp_hook_state st;
	char msg[128];
	__u32 id;
	int ret;

	*created = false;
	ret = dp_query_tc(dp, ifindex, dir, &st);
	if (!ret && st.attached)
		return 0;
	ret = bpf_tc_hook_create(&hook);
	if (ret && ret != -EEXIST) {
		libbpf_strerror(ret, msg, sizeof(msg));
		ERRF("creating clsact: %s", msg);
		return ret;
	}
	*created = ret == 0;
	opts.prog_fd = tc_prog_fd(dp, dir, &id);
	/* BPF_TC_F_REPLACE swaps a filter at xlb's handle in one step. */
	ret = bpf_tc_attach(&hook, &opts);
	if (ret) {
		libbpf_strerror(ret, msg, sizeof(msg));
		ERRF("attaching tc %s: %s", name, msg);
	}
	return ret;
}

int dp_detach_tc(struct xlb_dp *dp, int ifindex, unsigned int dir, char *err,
		 size_t errlen)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = tc_point(dir));
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XLB_TC_HANDLE,
		    .priority = XLB_TC_PRIORITY);
	struct dp_hook_state st;
	char msg[128];
	int ret;

	ret = dp_query_tc(dp, ifindex, dir, &st);
	if (ret == -ENODEV || (!ret && !st.attached))
		return 0;
	ret = ret ? ret : bpf_tc_detach(&hook, &opts);
	if (ret && ret != -ENOENT) {
		libbpf_strerror(ret, msg, sizeof(msg));
		ERRF("detaching tc %s: %s",
		     dir == XLB_TC_INGRESS ? "ingress" : "egress", msg);
		return ret;
	}
	return 0;
}

int dp_remove_clsact(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	int ret = bpf_tc_hook_destroy(&hook);

	return ret == -ENOENT || ret == -ENODEV || ret == -EINVAL ? 0 : ret;
}
