// SPDX-License-Identifier: GPL-2.0
/*
 * Loading, pinning, adopting and attaching the data plane. Programs are
 * pinned as prog_<name> and maps by their own names under the pin dir; a
 * daemon that finds them adopts them instead of loading twice, so a
 * restart never disturbs traffic or counters; a daemon of another build
 * loads its own programs against the pinned maps and swaps them in, each
 * hook in one step. XDP goes through libxdp,
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
#include <linux/if_link.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "crashpoint.h"
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
	{ "prog_reap", offsetof(struct xlb_dp, prog_reap),
	  offsetof(struct xlb_dp, id_reap) },
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
	{ "xlb_lb_conf", offsetof(struct xlb_dp, map_lb_conf) },
	{ "xlb_snat_pools", offsetof(struct xlb_dp, map_snat_pools) },
	{ "xlb_nat_frags", offsetof(struct xlb_dp, map_nat_frags) },
	{ "xlb_reap_buf", offsetof(struct xlb_dp, map_reap_buf) },
	{ "xlb_monitor", offsetof(struct xlb_dp, map_monitor) },
	{ "xlb_monitor_conf", offsetof(struct xlb_dp, map_monitor_conf) },
	{ "xlb_monitor_cpu", offsetof(struct xlb_dp, map_monitor_cpu) },
};

/* xlbd's own maps, pinned beside the data plane's: the record last. */
static const char *const own_maps[] = { XLB_PIN_LB_SPECS, XLB_PIN_TXN_JOURNAL,
					XLB_PIN_TXN };

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

static __u32 map_id_of(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

/*
 * Whether program id uses this data plane's xlb_ifaces map: every xlb
 * program does, so this tells an earlier build's program, loaded against
 * the same pins, from a foreign one.
 */
static bool prog_uses_our_maps(const struct xlb_dp *dp, __u32 id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[64];
	bool ours = false;
	int fd;

	if (!id || !dp->ifaces_map_id)
		return false;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return false;
	info.nr_map_ids = ARRAY_SIZE(ids);
	info.map_ids = (__u64)(unsigned long)ids;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		for (__u32 i = 0; i < info.nr_map_ids && i < ARRAY_SIZE(ids);
		     i++)
			ours |= ids[i] == dp->ifaces_map_id;
	close(fd);
	return ours;
}

/* Sort the program at a hook into this build's, an earlier one's, other. */
static void classify(const struct xlb_dp *dp, __u32 id, __u32 current,
		     struct dp_hook_state *st)
{
	st->prog_id = id;
	st->attached = id == current;
	st->stale = !st->attached && prog_uses_our_maps(dp, id);
	st->stale_id = st->stale ? id : 0;
	st->foreign = !st->attached && !st->stale;
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
	if (!create && access(dp->pin_dir, F_OK))
		return -ENOENT;
	if (mkdir(dp->pin_dir, 0700) && errno != EEXIST) {
		ERRF("%s: %s", dp->pin_dir, strerror(errno));
		return -errno;
	}
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
		ERRF("%s: reading map sizes: %s", dp->pin_dir, strerror(EIO));
		ret = -EIO;
	}
	return ret;
}

void dp_sizes_default(struct dp_sizes *s)
{
	*s = (struct dp_sizes){ .max_rules = XLB_DEFAULT_MAX_RULES,
				.max_prefixes = XLB_DEFAULT_MAX_PREFIXES,
				.max_conns = XLB_DEFAULT_CONNS,
				.max_syns = XLB_DEFAULT_SYNS,
				.max_nat_ports = XLB_DEFAULT_NAT_PORTS };
}

/* Size the maps before load (DESIGN: map sizes from config), and the
 * flow cache for this machine's CPUs. */
int dp_size_maps(struct xlb *skel, const struct dp_sizes *s)
{
	struct {
		struct bpf_map *map;
		__u32 n;
	} sizes[] = {
		{ skel->maps.xlb_rules, 2 * s->max_rules },
		{ skel->maps.xlb_rule_stats, s->max_rules + 1 },
		{ skel->maps.xlb_rule_specs, s->max_rules + 1 },
		{ skel->maps.xlb_allow4, s->max_prefixes },
		{ skel->maps.xlb_allow6, s->max_prefixes },
		{ skel->maps.xlb_deny4, s->max_prefixes },
		{ skel->maps.xlb_deny6, s->max_prefixes },
		{ skel->maps.xlb_list_stats, s->max_prefixes + 1 },
		{ skel->maps.xlb_list_specs, s->max_prefixes + 1 },
		{ skel->maps.xlb_conns, s->max_conns },
		{ skel->maps.xlb_syns, s->max_syns },
		{ skel->maps.xlb_nat_rev, s->max_nat_ports },
		/* a region of slots per possible CPU */
		{ skel->maps.xlb_flow_cache,
		  XLB_FCACHE_SLOTS * (__u32)libbpf_num_possible_cpus() },
	};

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		int ret = bpf_map__set_max_entries(sizes[i].map, sizes[i].n);

		if (ret)
			return ret;
	}
	return 0;
}

/* How many entries map fd holds at most, or 0. */
static __u32 max_entries_of(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.max_entries;
}

/* The sizes as the maps have them (adopted maps keep theirs). */
static int read_sizes(struct xlb_dp *dp)
{
	struct dp_sizes *s = &dp->sizes;

	s->max_rules = max_entries_of(dp->map_rule_specs) - 1;
	s->max_prefixes = max_entries_of(dp->map_list_specs) - 1;
	s->max_conns = max_entries_of(dp->map_conns);
	s->max_syns = max_entries_of(dp->map_syns);
	s->max_nat_ports = max_entries_of(dp->map_nat_rev);
	return s->max_rules == (__u32)-1 || s->max_prefixes == (__u32)-1 ||
			       !s->max_conns || !s->max_syns ||
			       !s->max_nat_ports ?
		       -EIO :
		       0;
}

/* FNV-1a over this build's BPF object, never 0. */
static __u32 obj_hash(void)
{
	size_t n;
	const unsigned char *b = xlb__elf_bytes(&n);
	__u32 h = 2166136261u;

	while (n--)
		h = (h ^ *b++) * 16777619u;
	return h ? h : 1;
}

/* Record in xlb_meta which object the pinned programs came from. */
static int meta_set_hash(struct xlb_dp *dp, __u32 hash, char *err,
			 size_t errlen)
{
	struct xlb_meta meta = {};
	__u32 key = 0;

	if (!bpf_map_lookup_elem(dp->map_meta, &key, &meta)) {
		meta.obj_hash = hash;
		if (!bpf_map_update_elem(dp->map_meta, &key, &meta, BPF_ANY))
			return 0;
	}
	ERRF("%s/xlb_meta: %s", dp->pin_dir, strerror(errno));
	return -errno;
}

/*
 * The kernel makes every devmap BPF_F_RDONLY_PROG by itself, so libbpf 1.1
 * finds a pinned xlb_tx_ports incompatible with the object's definition
 * (which cannot carry the flag): hand it the pinned map directly.
 */
static int reuse_tx_ports(struct xlb *skel, const struct xlb_dp *dp)
{
	char path[PATH_MAX + 32];
	int fd, ret;

	pin_path(dp, "xlb_tx_ports", path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	ret = bpf_map__set_pin_path(skel->maps.xlb_tx_ports, NULL);
	if (!ret)
		ret = bpf_map__reuse_fd(skel->maps.xlb_tx_ports, fd);
	close(fd);
	return ret;
}

/*
 * Open this build's object and load it against the maps pinned in the pin
 * dir (libbpf reuses each one whose layout matches, creates and pins the
 * others). Returns the skeleton, or NULL with *ret and err set.
 */
static struct xlb *load_object(struct xlb_dp *dp, int *ret, char *err,
			       size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = dp->pin_dir);
	struct xlb *skel = xlb__open_opts(&opts);
	char msg[128];

	if (!skel) {
		*ret = -errno;
		ERRF("opening the BPF object: %s", strerror(errno));
		return NULL;
	}
	*ret = dp_size_maps(skel, &dp->sizes);
	if (!*ret)
		*ret = reuse_tx_ports(skel, dp);
	if (!*ret)
		*ret = xlb__load(skel);
	if (!*ret)
		return skel;
	libbpf_strerror(*ret, msg, sizeof(msg));
	ERRF("loading the BPF object (pins in %s): %s%s", dp->pin_dir, msg,
	     *ret == -EINVAL ? " (pinned maps of another layout under the "
			       "same ABI version? see -v)" :
			       "");
	xlb__destroy(skel);
	return NULL;
}

/* The skeleton's programs in pinned_progs' order. */
static void skel_progs(struct xlb *skel, struct bpf_program **progs)
{
	progs[0] = skel->progs.xlb_xdp;
	progs[1] = skel->progs.xlb_tc_ingress;
	progs[2] = skel->progs.xlb_tc_egress;
	progs[3] = skel->progs.xlb_reap;
}

static int load(struct xlb_dp *dp, char *err, size_t errlen)
{
	struct bpf_program *progs[ARRAY_SIZE(pinned_progs)];
	struct bpf_map *maps[ARRAY_SIZE(pinned_maps)];
	char path[PATH_MAX + 32];
	struct xlb *skel;
	int ret = 0;

	skel = load_object(dp, &ret, err, errlen);
	if (!skel)
		return ret;
	skel_progs(skel, progs);
	for (size_t i = 0; i < ARRAY_SIZE(pinned_maps); i++) {
		maps[i] = bpf_object__find_map_by_name(skel->obj,
						       pinned_maps[i].pin);
		if (!maps[i]) {
			ret = -ENOENT;
			ERRF("BPF object has no map %s", pinned_maps[i].pin);
			goto out;
		}
	}
	crashpoint("load");
	/* prog_xdp, whose pin makes the next start adopt, last: a start cut
	 * before it is loaded again (pins of its other programs replaced). */
	for (size_t i = ARRAY_SIZE(pinned_progs); i-- > 0;) {
		__u32 *id = (__u32 *)((char *)dp + pinned_progs[i].id_off);
		int fd = bpf_program__fd(progs[i]);

		pin_path(dp, pinned_progs[i].pin, path, sizeof(path));
		unlink(path);
		if (bpf_obj_pin(fd, path)) {
			ret = -errno;
			ERRF("pinning %s: %s", path, strerror(errno));
			goto out;
		}
		*fd_at(dp, pinned_progs[i].fd_off) = dup(fd);
		*id = prog_id_of(fd);
		log_info("%s: loaded and pinned (id %u)", pinned_progs[i].pin,
			 *id);
		crashpoint("pin");
	}
	for (size_t i = 0; i < ARRAY_SIZE(pinned_maps); i++)
		*fd_at(dp, pinned_maps[i].fd_off) = dup(bpf_map__fd(maps[i]));
	ret = check_meta(dp, err, errlen);
	if (!ret)
		ret = meta_set_hash(dp, obj_hash(), err, errlen);
	if (!ret)
		ret = read_sizes(dp);
out:
	xlb__destroy(skel);
	return ret;
}

static bool same_tag(int fd_a, int fd_b)
{
	struct bpf_prog_info a = {}, b = {};
	__u32 len_a = sizeof(a), len_b = sizeof(b);

	if (bpf_obj_get_info_by_fd(fd_a, &a, &len_a) ||
	    bpf_obj_get_info_by_fd(fd_b, &b, &len_b))
		return false;
	return !memcmp(a.tag, b.tag, sizeof(a.tag));
}

/*
 * Pin fd in place of the pinned program i in one step: pinned beside it,
 * then renamed over it (bpffs renames atomically; names with dots are
 * reserved there, hence "_new").
 */
static int repin(struct xlb_dp *dp, size_t i, int fd, char *err, size_t errlen)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 40];

	pin_path(dp, pinned_progs[i].pin, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s_new", path);
	unlink(tmp);
	if (bpf_obj_pin(fd, tmp) || rename(tmp, path)) {
		int e = errno;

		ERRF("pinning %s: %s", path, strerror(e));
		unlink(tmp);
		return -e;
	}
	return 0;
}

/*
 * After adopting: if this build's programs differ from the pinned ones
 * (their tags, hashes of the instructions, differ), load them against the
 * pinned maps and pin them in place of the old ones. The old programs run
 * on until dp_attach_*() replaces them on each interface; a daemon that
 * dies in between finds this build's pins and the old programs attached,
 * and replaces them then.
 */
static int upgrade(struct xlb_dp *dp, char *err, size_t errlen)
{
	struct bpf_program *progs[ARRAY_SIZE(pinned_progs)];
	struct xlb_meta meta = {};
	__u32 key = 0, hash = obj_hash();
	struct xlb *skel;
	int ret;

	if (!bpf_map_lookup_elem(dp->map_meta, &key, &meta) &&
	    meta.obj_hash == hash)
		return 0; /* the pinned programs are this build's */
	skel = load_object(dp, &ret, err, errlen);
	if (!skel)
		return ret;
	skel_progs(skel, progs);
	for (size_t i = 0; i < ARRAY_SIZE(pinned_progs); i++) {
		int fd = bpf_program__fd(progs[i]), *cur;
		__u32 *id, old;

		cur = fd_at(dp, pinned_progs[i].fd_off);
		if (*cur >= 0 && same_tag(fd, *cur))
			continue;
		ret = repin(dp, i, fd, err, errlen);
		if (ret)
			goto out;
		id = (__u32 *)((char *)dp + pinned_progs[i].id_off);
		old = *id;
		if (*cur >= 0)
			close(*cur);
		*cur = dup(fd);
		*id = prog_id_of(fd);
		log_info("%s: this build's program (id %u) replaces the pinned "
			 "one (id %u)",
			 pinned_progs[i].pin, *id, old);
	}
	ret = meta_set_hash(dp, hash, err, errlen);
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
	    const struct dp_sizes *sizes, char *err, size_t errlen)
{
	char path[PATH_MAX + 32];
	int ret;

	dp_init(dp);
	if (sizes)
		dp->sizes = *sizes;
	else
		dp_sizes_default(&dp->sizes);
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", pin_dir);
	ret = prepare_pin_dir(dp, !adopt_only, err, errlen);
	if (ret)
		goto fail;
	pin_path(dp, pinned_progs[0].pin, path, sizeof(path));
	if (!access(path, F_OK)) {
		ret = adopt(dp, adopt_only, err, errlen);
		if (!ret && !adopt_only)
			ret = upgrade(dp, err, errlen);
	} else if (adopt_only) {
		pin_path(dp, pinned_maps[0].pin, path, sizeof(path));
		ret = access(path, F_OK) ? -ENOENT :
					   adopt(dp, true, err, errlen);
	} else {
		ret = load(dp, err, errlen);
	}
	if (ret)
		goto fail;
	dp->ifaces_map_id = map_id_of(dp->map_ifaces);
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
	char path[PATH_MAX + 32], tmp[PATH_MAX + 40];
	int ret = 0;

	for (size_t i = 0; i < ARRAY_SIZE(pinned_progs); i++) {
		pin_path(dp, pinned_progs[i].pin, path, sizeof(path));
		if (unlink(path) && errno != ENOENT) {
			log_err("removing pin %s: %s", path, strerror(errno));
			ret = -errno;
		}
		/* left by an upgrade cut short between pin and rename */
		snprintf(tmp, sizeof(tmp), "%s_new", path);
		unlink(tmp);
	}
	for (size_t i = 0; i < ARRAY_SIZE(pinned_maps) + ARRAY_SIZE(own_maps);
	     i++) {
		pin_path(dp,
			 i < ARRAY_SIZE(pinned_maps) ?
				 pinned_maps[i].pin :
				 own_maps[i - ARRAY_SIZE(pinned_maps)],
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

static __u32 xdp_flags_of(enum xlb_xdp_mode mode)
{
	return mode == XLB_XDP_GENERIC ? XDP_FLAGS_SKB_MODE :
					 XDP_FLAGS_DRV_MODE;
}

/*
 * The program at ifindex's XDP hook (0 when none) and its mode, from the
 * kernel. libxdp's xdp_multiprog__get_from_ifindex() (1.3) keeps a file
 * descriptor of the program each time it is called, so it is used only
 * to look inside a dispatcher.
 */
static int xdp_attached(int ifindex, __u32 *id, enum xlb_xdp_mode *mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int ret = bpf_xdp_query(ifindex, 0, &q);

	*id = 0;
	if (ret)
		return ret;
	*id = q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
	*mode = q.drv_prog_id ? XLB_XDP_NATIVE : XLB_XDP_GENERIC;
	return 0;
}

static bool is_dispatcher(__u32 id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);
	bool yes;

	if (fd < 0)
		return false;
	yes = !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	      !strcmp(info.name, "xdp_dispatcher");
	close(fd);
	return yes;
}

/* The programs in the dispatcher at ifindex, or NULL (*ret says why). */
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

/* Sort out the components of the dispatcher at ifindex. */
static int query_dispatcher(struct xlb_dp *dp, int ifindex,
			    struct dp_hook_state *st)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	int ret;

	st->dispatcher = true;
	mp = xdp_get(ifindex, &ret);
	for (p = mp ? xdp_multiprog__next_prog(NULL, mp) : NULL; p;
	     p = xdp_multiprog__next_prog(p, mp)) {
		__u32 id = xdp_program__id(p);

		if (id == dp->id_xdp) {
			st->attached = true;
		} else if (prog_uses_our_maps(dp, id)) {
			/* an earlier build's, left by an upgrade cut short */
			st->stale = true;
			st->stale_id = id;
		}
	}
	xdp_multiprog__close(mp);
	st->prog_id = st->attached ? dp->id_xdp : st->stale_id;
	st->foreign = !st->attached && !st->stale;
	return ret;
}

int dp_query_xdp(struct xlb_dp *dp, int ifindex, struct dp_hook_state *st)
{
	enum xlb_xdp_mode mode;
	__u32 id;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = xdp_attached(ifindex, &id, &mode);
	if (ret || !id)
		return ret;
	st->mode = mode;
	if (is_dispatcher(id))
		return query_dispatcher(dp, ifindex, st);
	classify(dp, id, dp->id_xdp, st);
	return 0;
}

/* Remove program id from the dispatcher at ifindex. */
static int detach_component(int ifindex, __u32 id, enum xlb_xdp_mode mode)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	int ret;

	mp = xdp_get(ifindex, &ret);
	for (p = mp ? xdp_multiprog__next_prog(NULL, mp) : NULL; p;
	     p = xdp_multiprog__next_prog(p, mp))
		if (xdp_program__id(p) == id)
			break;
	if (p)
		ret = xdp_program__detach(p, ifindex, xdp_mode_of(mode), 0);
	xdp_multiprog__close(mp);
	return ret;
}

/*
 * Put program fd (-1: none) in place of program old_id, attached alone at
 * ifindex, in one step; XDP_FLAGS_REPLACE names old_id as the program
 * expected there, so a concurrent change makes it fail instead of being
 * overwritten.
 */
static int xdp_swap(int ifindex, int fd, __u32 old_id, enum xlb_xdp_mode mode)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	int ret;

	opts.old_prog_fd = bpf_prog_get_fd_by_id(old_id);
	if (opts.old_prog_fd < 0)
		return -errno;
	ret = bpf_xdp_attach(ifindex, fd,
			     XDP_FLAGS_REPLACE | xdp_flags_of(mode), &opts);
	close(opts.old_prog_fd);
	return ret;
}

/*
 * Swap an earlier build's program at ifindex for this build's, with no
 * moment between. Attached alone, the kernel does it in one step
 * (xdp_swap()). libxdp's dispatcher has no replace: this build's program joins it first, then
 * the old one leaves, each step swapping the whole dispatcher at once; in
 * between both run, the old one first, so the new one sees only what the
 * old one passed.
 */
static int xdp_upgrade(struct xlb_dp *dp, int ifindex,
		       const struct dp_hook_state *st, char *err, size_t errlen)
{
	struct xdp_program *p;
	char msg[128];
	int ret = 0;

	if (!st->dispatcher) {
		ret = xdp_swap(ifindex, dp->prog_xdp, st->stale_id, st->mode);
		if (ret) {
			libbpf_strerror(ret, msg, sizeof(msg));
			ERRF("replacing XDP program id %u: %s", st->stale_id,
			     msg);
		}
		return ret;
	}
	if (!st->attached) {
		p = xdp_program__from_fd(dp->prog_xdp);
		ret = libxdp_get_error(p);
		if (!ret)
			ret = xdp_program__attach(p, ifindex,
						  xdp_mode_of(st->mode), 0);
		xdp_program__close(p);
	}
	if (!ret)
		ret = detach_component(ifindex, st->stale_id, st->mode);
	if (ret) {
		libxdp_strerror(ret, msg, sizeof(msg));
		ERRF("replacing XDP program id %u in libxdp's dispatcher: %s",
		     st->stale_id, msg);
	}
	return ret;
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
	if (st.attached && !st.stale && st.mode == mode)
		return 0;
	if (st.stale && st.mode == mode) {
		ret = xdp_upgrade(dp, ifindex, &st, err, errlen);
		if (!ret)
			log_info(
				"ifindex %d: XDP program id %u replaced by id %u",
				ifindex, st.stale_id, dp->id_xdp);
		return ret;
	}
	/* A mode change is the one case that needs a new attachment: the
	 * kernel cannot move a program between modes in place. */
	if (st.attached || st.stale) {
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
	struct dp_hook_state st;
	char msg[128];
	int ret = 0;

	/* Twice: a dispatcher may hold this build's and an earlier one's. */
	for (int i = 0; i < 2 && !ret; i++) {
		ret = dp_query_xdp(dp, ifindex, &st);
		if (ret == -ENODEV) /* the interface is gone */
			return 0;
		if (ret || !(st.attached || st.stale))
			break;
		ret = st.dispatcher ?
			      detach_component(ifindex, st.prog_id, st.mode) :
			      xdp_swap(ifindex, -1, st.prog_id, st.mode);
	}
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
	classify(dp, opts.prog_id, ours, st);
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
	} else if (st.stale) {
		log_info("ifindex %d: tc %s program id %u replaced by id %u",
			 ifindex, name, st.stale_id, id);
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
	if (ret == -ENODEV || (!ret && !st.attached && !st.stale))
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
