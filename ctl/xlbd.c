// SPDX-License-Identifier: GPL-2.0
/*
 * xlbd: loads (or re-adopts) the data plane, attaches it to the
 * configured interfaces, and serves the control socket, with the load
 * balancer's next-hop resolver and health checks in the same poll loop
 * (nothing there blocks). SIGHUP reloads the configuration (a bad file
 * changes nothing); SIGTERM and SIGINT exit leaving the data plane
 * attached and pinned; all three wait while a start is under way. Starts
 * and reloads are transactions (xlbd_txn.c). `xlbd --detach` and the
 * detach request remove programs, filters and pins.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "api.h"
#include "config.h"
#include "crashpoint.h"
#include "health.h"
#include "ifaces.h"
#include "lb_conns.h"
#include "lb_neigh.h"
#include "loader.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "stats.h"
#include "util.h"
#include "xlbd.h"

#define XLB_VERSION "0.1.0"
#define DEFAULT_PIN_DIR "/sys/fs/bpf/xlb"
#define DEFAULT_SOCKET "/run/xlb/xlbd.sock"

static const char usage_text[] =
	"usage: xlbd -c FILE [options]\n"
	"       xlbd --check-config -c FILE\n"
	"       xlbd --detach [-c FILE] [--pin-dir DIR]\n"
	"options:\n"
	"  -c, --config FILE     configuration file (required to run)\n"
	"      --check-config    validate the configuration and exit 0/1\n"
	"      --pin-dir DIR     bpffs directory for pins (" DEFAULT_PIN_DIR
	")\n"
	"      --socket PATH     control socket (" DEFAULT_SOCKET ")\n"
	"      --socket-group NAME\n"
	"                        serve the group's members too, not only root\n"
	"      --metrics ADDR:PORT\n"
	"                        serve /metrics on ADDR:PORT, [ADDR6]:PORT or\n"
	"                        off (" METRICS_DEFAULT_ADDR ")\n"
	"      --detach          remove programs, filters and pins, then exit\n"
	"  -v, --verbose         more logging (repeat for libbpf debug)\n"
	"  -h, --help            this text\n"
	"      --version         print the version\n";

static const char *str_of(json_t *req, const char *key)
{
	return json_string_value(json_object_get(req, key));
}

static json_t *cmd_status(void *ctx, json_t *req, struct api_error *e)
{
	struct xlbd *d = ctx;
	json_t *ifaces = ifaces_status(&d->dp, str_of(req, "dev"), e->msg,
				       sizeof(e->msg));

	if (!ifaces) {
		e->code = str_of(req, "dev") ? API_USAGE : API_FAILED;
		return NULL;
	}
	return json_pack("{s:s, s:i, s:s, s:s, s:s, s:b, s:o}", "version",
			 XLB_VERSION, "pid", (int)getpid(), "pin_dir",
			 d->pin_dir, "socket", d->socket_path, "config",
			 d->config_path, "adopted", d->dp.adopted, "interfaces",
			 ifaces);
}

/* The stats object: `xlbctl -j stats` and /metrics both show this. */
static json_t *daemon_stats(struct xlbd *d, const char *dev, char *err,
			    size_t errlen)
{
	json_t *s = stats_json(&d->dp, dev, err, errlen);

	if (!s)
		return NULL;
	json_object_set_new(s, "filter", filter_hits_json(&d->filter));
	lb_stats_json(&d->lb, s);
	return s;
}

static json_t *cmd_stats(void *ctx, json_t *req, struct api_error *e)
{
	struct xlbd *d = ctx;
	json_t *s = daemon_stats(d, str_of(req, "dev"), e->msg, sizeof(e->msg));

	if (!s)
		e->code = str_of(req, "dev") ? API_USAGE : API_FAILED;
	return s;
}

/* The body of /metrics: the stats object, and the backends' weights. */
static int metrics_body(void *ctx, FILE *out)
{
	struct xlbd *d = ctx;
	char err[512];
	json_t *s = daemon_stats(d, NULL, err, sizeof(err));
	json_t *list;
	int ret;

	if (!s) {
		log_warn("metrics: %s", err);
		return -EIO;
	}
	list = lb_backends_json(&d->lb, NULL);
	ret = metrics_render(out, s, json_object_get(list, "backends"),
			     XLB_VERSION);
	json_decref(list);
	json_decref(s);
	return ret;
}

static json_t *cmd_detach(void *ctx, json_t *req, struct api_error *e)
{
	struct xlbd *d = ctx;
	int ret;

	(void)req;
	ret = ifaces_detach_all(&d->dp);
	if (!ret)
		ret = dp_unpin(&d->dp);
	if (ret) {
		snprintf(e->msg, sizeof(e->msg), "detach: %s (see xlbd's log)",
			 strerror(-ret));
		return NULL;
	}
	log_info("detached from every interface and removed the pins");
	d->stop = true;
	return json_object();
}

static const struct api_cmd daemon_cmds[] = {
	{ "status", cmd_status },
	{ "stats", cmd_stats },
	{ "detach", cmd_detach },
};

/* Every request the socket answers: the daemon's, the filter's, the lb's. */
static struct api_cmd commands[ARRAY_SIZE(daemon_cmds) + 32];

static size_t commands_init(void)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(daemon_cmds); i++)
		commands[n++] = daemon_cmds[i];
	for (size_t i = 0; i < filter_n_cmds && n < ARRAY_SIZE(commands); i++)
		commands[n++] = filter_cmds[i];
	for (size_t i = 0; i < lb_n_cmds && n < ARRAY_SIZE(commands); i++)
		commands[n++] = lb_cmds[i];
	for (size_t i = 0; i < config_n_cmds && n < ARRAY_SIZE(commands); i++)
		commands[n++] = config_cmds[i];
	for (size_t i = 0; i < monitor_n_cmds && n < ARRAY_SIZE(commands); i++)
		commands[n++] = monitor_cmds[i];
	return n;
}

int xlbd_apply(struct xlbd *d, const struct xlb_config *conf, char *err,
	       size_t errlen)
{
	const struct xlb_filter_conf_file *fc = &conf->filter;
	int ret = ifaces_apply(&d->dp, conf, err, errlen);

	if (ret)
		return ret;
	crashpoint("ifaces");
	/* Egress interfaces may have come or gone: next hops again. */
	lb_neigh_recheck(&d->lb);
	ret = filter_apply(&d->filter, fc->rules, fc->n_rules, fc->entries,
			   fc->n_entries, err, errlen);
	if (ret)
		return ret;
	log_info("filter: %u rules, %u list entries", d->filter.n_rules,
		 d->filter.n_entries);
	ret = lb_apply(&d->lb, conf, err, errlen);
	if (ret)
		return ret;
	health_configure(&d->lb, conf);
	log_info("lb: %u VIPs, %u backends", d->lb.n_vips, d->lb.n_backends);
	for (size_t i = 0; i < conf->n_ifaces; i++)
		if (conf->ifaces[i].stages & XLB_STAGE_LB)
			return 0;
	if (conf->n_vips)
		log_warn("lb: no interface has lb = true: the VIPs get no "
			 "traffic");
	return 0;
}

/* The map sizes the config asks for (defaults where it says nothing). */
static void wanted_sizes(const struct xlb_config *conf, struct dp_sizes *s)
{
	dp_sizes_default(s);
	if (conf->filter.max_rules)
		s->max_rules = conf->filter.max_rules;
	if (conf->filter.max_prefixes)
		s->max_prefixes = conf->filter.max_prefixes;
	if (conf->lb.max_conns)
		s->max_conns = conf->lb.max_conns;
	if (conf->lb.max_syns)
		s->max_syns = conf->lb.max_syns;
	if (conf->lb.max_nat_ports)
		s->max_nat_ports = conf->lb.max_nat_ports;
}

/* The load balancer's tables keep the sizes they were loaded with. */
static void warn_lb_sizes(const struct xlbd *d, const struct xlb_config *conf)
{
	const struct dp_sizes *have = &d->dp.sizes;
	struct dp_sizes want;

	wanted_sizes(conf, &want);
	if (want.max_conns != have->max_conns ||
	    want.max_syns != have->max_syns ||
	    want.max_nat_ports != have->max_nat_ports)
		log_warn("the pinned lb tables hold %u conns, %u syns and %u "
			 "NAT ports, the config asks for %u, %u and %u: detach "
			 "and start again to resize",
			 have->max_conns, have->max_syns, have->max_nat_ports,
			 want.max_conns, want.max_syns, want.max_nat_ports);
}

static int open_filter(struct xlbd *d, char *err, size_t errlen)
{
	struct filter_maps m = {
		.shapes = d->dp.map_shapes,
		.rules = d->dp.map_rules,
		.rule_stats = d->dp.map_rule_stats,
		.rule_specs = d->dp.map_rule_specs,
		.allow4 = d->dp.map_allow4,
		.allow6 = d->dp.map_allow6,
		.deny4 = d->dp.map_deny4,
		.deny6 = d->dp.map_deny6,
		.list_stats = d->dp.map_list_stats,
		.list_specs = d->dp.map_list_specs,
		.conf = d->dp.map_filter_conf,
		.bloom = d->dp.map_rule_bloom,
	};
	const struct dp_sizes *have = &d->dp.sizes;
	struct dp_sizes want;

	wanted_sizes(&d->conf, &want);
	if (want.max_rules != have->max_rules ||
	    want.max_prefixes != have->max_prefixes)
		log_warn("the pinned filter maps hold %u rules and %u "
			 "prefixes, the config asks for %u and %u: detach "
			 "and start again to resize",
			 have->max_rules, have->max_prefixes, want.max_rules,
			 want.max_prefixes);
	return filter_open(&d->filter, &m, have->max_rules, have->max_prefixes,
			   err, errlen);
}

/* A link came or went: an interface of the file may be gone, or back. */
static void link_changed(void *ctx, const struct nl_link *link, bool gone)
{
	struct xlbd *d = ctx;

	ifaces_link_event(&d->dp, &d->conf, link, gone);
}

/* The load balancer: restored from the maps, with its resolver and its
 * health checks. */
static int open_lb(struct xlbd *d, char *err, size_t errlen)
{
	struct lb_maps m = {
		.vips = d->dp.map_vips,
		.hints = d->dp.map_vip_hints,
		.ring = d->dp.map_ring,
		.backends = d->dp.map_backends,
		.vip_stats = d->dp.map_vip_stats,
		.backend_stats = d->dp.map_backend_stats,
		.ifaces = d->dp.map_ifaces,
		.lb_conf = d->dp.map_lb_conf,
		.snat_pools = d->dp.map_snat_pools,
		.conns = d->dp.map_conns,
		.syns = d->dp.map_syns,
		.nat_rev = d->dp.map_nat_rev,
		.reap_buf = d->dp.map_reap_buf,
		.reap = d->dp.prog_reap,
		.max_conns = d->dp.sizes.max_conns,
		.max_syns = d->dp.sizes.max_syns,
		.max_nat_ports = d->dp.sizes.max_nat_ports,
	};
	int ret;

	warn_lb_sizes(d, &d->conf);
	/* Maps loaded now, but beside a record: a detach was cut short. */
	ret = lb_open(&d->lb, &m, d->pin_dir, !d->dp.adopted && !d->txn.found,
		      err, errlen);
	if (!ret)
		ret = lb_neigh_open(&d->lb, err, errlen);
	lb_neigh_on_link(&d->lb, link_changed, d);
	if (!ret)
		ret = health_open(&d->lb, err, errlen);
	if (!ret)
		ret = lb_conns_open(&d->lb, &d->dp.sizes, err, errlen);
	if (!ret)
		ret = monitor_open(&d->mon, &d->dp, &d->lb, err, errlen);
	if (ret) {
		lb_conns_close(&d->lb);
		health_close(&d->lb);
		lb_neigh_close(&d->lb);
		lb_close(&d->lb);
	}
	return ret;
}

static void close_all(struct xlbd *d)
{
	monitor_close(&d->mon);
	lb_conns_close(&d->lb);
	health_close(&d->lb);
	lb_neigh_close(&d->lb);
	lb_close(&d->lb);
	filter_close(&d->filter);
	txn_close(&d->txn);
	dp_close(&d->dp);
}

/* SIGHUP and the config_reload request. */
int xlbd_reload(struct xlbd *d, char *err, size_t errlen)
{
	struct xlb_config *next = malloc(sizeof(*next));
	int ret;

	if (!next) {
		snprintf(err, errlen, "reload: %s", strerror(ENOMEM));
		log_err("%s", err);
		return -ENOMEM;
	}
	log_info("reloading %s", d->config_path);
	notify_reloading();
	ret = xlb_config_load(d->config_path, next, err, errlen);
	if (ret) {
		log_err("reload refused, running configuration kept: %s", err);
		notify_ready("serving; last reload refused");
		free(next);
		return ret;
	}
	warn_lb_sizes(d, next);
	crashpoint("reload");
	ret = xlbd_apply_txn(d, next, TXN_RELOAD, err, errlen);
	if (ret) {
		log_err("reload failed part-way: %s (the next start applies "
			"the file whole)",
			err);
		xlb_config_free(next);
	} else {
		xlb_config_free(&d->conf);
		d->conf = *next;
		log_info("reload applied");
	}
	notify_ready(ret ? "serving; last reload failed part-way" :
			   "serving; reload applied");
	free(next);
	return ret;
}

/* SIGHUP: the outcome is in the log. */
static void reload(struct xlbd *d)
{
	char err[XLB_CONFIG_ERRLEN];

	xlbd_reload(d, err, sizeof(err));
}

/* The signals serve() takes: SIGTERM, SIGINT (exit), SIGHUP (reload). */
static void loop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
}

/*
 * Blocked from main()'s first instruction: one that arrives while xlbd
 * starts waits in the signalfd until serve() reads it, so a SIGTERM lets
 * the start finish (and commit) before xlbd exits, and a SIGHUP reloads
 * once the start is over. Neither can cut a start short.
 */
static int signal_fd(void)
{
	sigset_t set;
	int fd;

	loop_signals(&set);
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* The earlier of two poll timeouts (-1: none). */
static int earlier(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/* Returns when told to stop; the data plane stays as it is. */
static int serve(struct xlbd *d, int sfd)
{
	struct pollfd pfds[1 + LB_NEIGH_POLLFDS + HEALTH_MAX_PROBES +
			   API_MAX_CLIENTS + 1 + METRICS_MAX_CLIENTS + 1 +
			   MON_POLLFDS];
	struct signalfd_siginfo si;

	while (!d->stop) {
		/* The signals, the resolver's, the probes', the socket's;
		 * no longer than until the next probe or reaper step, or
		 * the end of a back-off from accepting clients. */
		int timeout =
			earlier(earlier(earlier(health_timeout(&d->lb),
						metrics_timeout(&d->metrics)),
					earlier(lb_conns_timeout(&d->lb),
						monitor_timeout(&d->mon))),
				api_timeout(&d->api));
		struct pollfd *nfds = pfds + 1;
		int nn = lb_neigh_pollfds(&d->lb, nfds, LB_NEIGH_POLLFDS);
		struct pollfd *hfds = nfds + nn;
		int nh = health_pollfds(&d->lb, hfds, HEALTH_MAX_PROBES);
		struct pollfd *afds = hfds + nh;
		int n = api_pollfds(&d->api, afds, API_MAX_CLIENTS + 1);
		struct pollfd *mfds = afds + n;
		int nm = metrics_pollfds(&d->metrics, mfds,
					 METRICS_MAX_CLIENTS + 1);
		struct pollfd *ofds = mfds + nm;
		int no = monitor_pollfds(&d->mon, ofds, MON_POLLFDS);

		pfds[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (poll(pfds, 1 + nn + nh + n + nm + no, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			return 1;
		}
		lb_neigh_process(&d->lb, nfds, nn);
		health_process(&d->lb, hfds, nh);
		lb_conns_process(&d->lb);
		api_process(&d->api, afds, n);
		metrics_process(&d->metrics, mfds, nm);
		monitor_process(&d->mon, ofds, no);
		while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGHUP) {
				reload(d);
				continue;
			}
			log_info("signal %d: exiting, data plane left running",
				 si.ssi_signo);
			d->stop = true;
		}
	}
	return 0;
}

/*
 * A start that fails after loading a fresh data plane leaves nothing of
 * it: what it attached comes off and its pins go (the programs and maps
 * with them). An adopted data plane was running before: it stays.
 */
static void unload_fresh(struct xlbd *d)
{
	int ret;

	if (d->dp.adopted)
		return;
	ret = ifaces_detach_all(&d->dp);
	if (!ret)
		ret = dp_unpin(&d->dp);
	if (ret)
		log_err("removing the data plane this start loaded: %s "
			"(xlbd --detach removes what is left)",
			strerror(-ret));
	else
		log_info("nothing left attached or pinned in %s", d->pin_dir);
}

static int run(struct xlbd *d)
{
	char err[XLB_CONFIG_ERRLEN];
	struct dp_sizes sizes;
	bool whole;
	int sfd, ret;

	/* The metrics address first: a taken port changes nothing. */
	d->metrics.body = metrics_body;
	d->metrics.ctx = d;
	if (metrics_open(&d->metrics, &d->metrics_addr, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	wanted_sizes(&d->conf, &sizes);
	ret = dp_open(&d->dp, d->pin_dir, false, &sizes, err, sizeof(err));
	if (ret) {
		log_err("%s", err);
		metrics_close(&d->metrics);
		return 2;
	}
	log_info("%s data plane in %s", d->dp.adopted ? "adopted" : "loaded",
		 d->pin_dir);
	/* A restart resumes: adopted state (runtime changes included) is
	 * kept, and only interfaces follow the file. A fresh load, or a
	 * state no start or reload committed, gets the whole file. */
	ret = txn_open(&d->txn, d->pin_dir, err, sizeof(err));
	if (!ret)
		ret = open_filter(d, err, sizeof(err));
	if (!ret)
		ret = open_lb(d, err, sizeof(err));
	if (!ret)
		ret = xlbd_recover(d, &whole, err, sizeof(err));
	if (!ret && !whole) {
		ret = ifaces_apply(&d->dp, &d->conf, err, sizeof(err));
		lb_neigh_recheck(&d->lb);
		/* Kept VIPs are checked as the file says. */
		health_configure(&d->lb, &d->conf);
	} else if (!ret) {
		ret = xlbd_apply_txn(d, &d->conf, TXN_START, err, sizeof(err));
	}
	if (ret) {
		log_err("%s", err);
		metrics_close(&d->metrics);
		unload_fresh(d);
		close_all(d);
		return 2;
	}
	sfd = signal_fd();
	d->api.cmds = commands;
	d->api.n_cmds = commands_init();
	d->api.ctx = d;
	if (sfd < 0 || api_open(&d->api, d->socket_path, err, sizeof(err))) {
		log_err("%s", sfd < 0 ? strerror(-sfd) : err);
		metrics_close(&d->metrics);
		unload_fresh(d);
		close_all(d);
		return 2;
	}
	log_info("serving %s", d->socket_path);
	notify_ready("serving");
	ret = serve(d, sfd);
	notify_stopping();
	metrics_close(&d->metrics);
	api_close(&d->api);
	close(sfd);
	close_all(d);
	xlb_config_free(&d->conf);
	return ret;
}

static int detach(struct xlbd *d)
{
	char err[512];
	int ret;

	ret = dp_open(&d->dp, d->pin_dir, true, NULL, err, sizeof(err));
	if (ret == -ENOENT) {
		log_info("nothing pinned in %s: nothing to detach", d->pin_dir);
		return 0;
	}
	if (ret) {
		log_err("%s%s", err,
			ret == -EWOULDBLOCK ? " (use xlbctl detach)" : "");
		return 2;
	}
	ret = ifaces_detach_all(&d->dp);
	if (!ret)
		ret = dp_unpin(&d->dp);
	dp_close(&d->dp);
	if (ret) {
		log_err("detach incomplete: %s", strerror(-ret));
		return 2;
	}
	log_info("detached; pins in %s removed", d->pin_dir);
	return 0;
}

enum {
	OPT_CHECK = 256,
	OPT_PIN_DIR,
	OPT_SOCKET,
	OPT_SOCKET_GROUP,
	OPT_METRICS,
	OPT_DETACH,
	OPT_VERSION,
};

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "check-config", no_argument, NULL, OPT_CHECK },
	{ "pin-dir", required_argument, NULL, OPT_PIN_DIR },
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "socket-group", required_argument, NULL, OPT_SOCKET_GROUP },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "detach", no_argument, NULL, OPT_DETACH },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{},
};

int main(int argc, char **argv)
{
	static struct xlbd d = { .pin_dir = DEFAULT_PIN_DIR,
				 .socket_path = DEFAULT_SOCKET };
	const char *metrics = METRICS_DEFAULT_ADDR, *group = NULL;
	bool check = false, do_detach = false;
	char err[XLB_CONFIG_ERRLEN];
	int opt, level = LOG_INFO;
	sigset_t sigs;

	loop_signals(&sigs);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	while ((opt = getopt_long(argc, argv, "c:vh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			d.config_path = optarg;
			break;
		case OPT_CHECK:
			check = true;
			break;
		case OPT_PIN_DIR:
			d.pin_dir = optarg;
			break;
		case OPT_SOCKET:
			d.socket_path = optarg;
			break;
		case OPT_SOCKET_GROUP:
			group = optarg;
			break;
		case OPT_METRICS:
			metrics = optarg;
			break;
		case OPT_DETACH:
			do_detach = true;
			break;
		case 'v':
			level++;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case OPT_VERSION:
			puts("xlbd " XLB_VERSION);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 1;
		}
	}
	if (optind < argc || (!d.config_path && !do_detach)) {
		fputs(usage_text, stderr);
		return 1;
	}
	log_set_level(level);
	log_route_libs();
	if (crashpoint_init(err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	if (group && api_set_group(&d.api, group, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	if (metrics_parse_addr(metrics, &d.metrics_addr, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	/* A check changes nothing: it may be stopped at any time. */
	if (check)
		sigprocmask(SIG_UNBLOCK, &sigs, NULL);
	if (!do_detach &&
	    xlb_config_load(d.config_path, &d.conf, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	if (check) {
		printf("%s: ok\n", d.config_path);
		return 0;
	}
	return do_detach ? detach(&d) : run(&d);
}
