// SPDX-License-Identifier: GPL-2.0
/*
 * xlbctl, the command line client of xlbd: global options, then a
 * {name, fn} table of objects whose handlers parse their keyword arguments
 * strictly (rule, allow, deny and batch files in cmd_filter.c and
 * cmd_batch.c, vip, backend and conn in cmd_lb.c, config in
 * cmd_config.c), ask the daemon over its control socket (client.c) and
 * print the answer as tables or JSON (show.h). Handlers return 0 or -errno, each
 * error printed once; main maps -EINVAL to exit 1 (usage), others to 2.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "cmd_config.h"
#include "cmd_filter.h"
#include "cmd_lb.h"
#include "cmd_monitor.h"
#include "show.h"
#include "util.h"
#include "xlb_abi.h"

#define NSEC_PER_SEC 1000000000ull

#define WATCH_INTERVAL_DEFAULT 1.0
#define WATCH_INTERVAL_MIN 0.1
#define WATCH_INTERVAL_MAX 3600.0
#define WATCH_COUNT_MAX 4294967295ull

static const char help_text[] =
	"Usage: xlbctl [-j|--json] [-s|--socket PATH] OBJECT VERB ...\n"
	"       xlbctl [-j|--json] [-s|--socket PATH] [--force] -b|--batch FILE\n"
	"\n"
	"Options:\n"
	"  -j, --json           print JSON, one object per line\n"
	"  -s, --socket PATH    xlbd's control socket (default " XLB_DEFAULT_SOCKET
	")\n"
	"  -b, --batch FILE     send FILE's commands as one request (-: stdin)\n"
	"      --force          see --force below\n"
	"  -h, --help           print this help\n"
	"\n"
	"Commands:\n"
	"  xlbctl status [dev IFNAME]\n"
	"  xlbctl stats [dev IFNAME] [--watch [interval SECONDS] [count N]]\n"
	"  xlbctl rule add [order N] {drop|pass} [hook {ingress|egress}]\n"
	"                  [src PFX] [dst PFX] [proto P] [sport N] [dport N]\n"
	"  xlbctl rule del ID\n"
	"  xlbctl rule list\n"
	"  xlbctl rule flush\n"
	"  xlbctl {allow|deny} {add|del} [ingress|egress] PFX [--force]\n"
	"  xlbctl {allow|deny} list\n"
	"  xlbctl vip add ADDR:PORT/PROTO [mode {dsr|nat}]\n"
	"  xlbctl vip del ADDR:PORT/PROTO\n"
	"  xlbctl vip list\n"
	"  xlbctl backend add VIP ADDR [weight N] [port N]\n"
	"  xlbctl backend set VIP ADDR weight N\n"
	"  xlbctl backend del VIP ADDR\n"
	"  xlbctl backend list [VIP]\n"
	"  xlbctl conn list [VIP] [backend ADDR] [count N]\n"
	"  xlbctl conn flush [VIP]\n"
	"  xlbctl config check FILE\n"
	"  xlbctl config reload\n"
	"  xlbctl config dump\n"
	"  xlbctl monitor [drops|all] [sample N] [count N] [write FILE]\n"
	"  xlbctl detach\n"
	"  xlbctl help\n"
	"\n"
	"  status    the daemon, its interfaces and their programs\n"
	"  stats     packets and bytes per interface, hook, verdict and class;\n"
	"            exceptions and drops by reason; filter hits; per VIP\n"
	"            and backend, packets and bytes forwarded\n"
	"  --watch   rates every interval SECONDS (default 1, 0.1 to 3600),\n"
	"            N times with count, else until interrupted\n"
	"  rule      drop or pass what matches every field given; the lowest\n"
	"            order (0 to 4294967294, xlbd picks one if not given) among\n"
	"            matching rules decides; hook is ingress unless given;\n"
	"            add prints the new rule's id\n"
	"  allow     for what no rule matched: the deny list drops what it\n"
	"  deny      matches, then a non-empty allow list drops what it does\n"
	"            not; ingress (default) matches sources, egress destinations\n"
	"  --force   apply an allow/deny change even if it cuts off the client\n"
	"            of this SSH session (SSH_CONNECTION), which xlbd refuses\n"
	"  --batch   FILE: commands without the leading xlbctl, one per line,\n"
	"            '#' comments and blank lines allowed; only rule add, del,\n"
	"            flush and allow/deny add, del. Every line is checked before\n"
	"            anything is sent; errors name FILE:LINE.\n"
	"  vip       a load-balanced service: ADDR:PORT/PROTO as\n"
	"            198.18.0.10:80/tcp or [2001:db8::10]:443/udp, port 0\n"
	"            for every port; mode dsr (the default: backends hold\n"
	"            the VIP and answer clients directly) or nat (xlb\n"
	"            translates addresses and ports both ways)\n"
	"  backend   a server of a VIP, by address (the VIP's family);\n"
	"            weight 0 to 65535 (default 1) sets its share of new\n"
	"            flows, 0 drains it (open flows stay); port (nat VIPs of\n"
	"            one port): the port it listens on, fixed once added;\n"
	"            xlbd finds its next hop and MAC, list shows them and\n"
	"            each one's state\n"
	"  conn      the load balancer's flows: list shows those of VIP, of\n"
	"            backend ADDR (in VIP, or in every VIP) or all, at most\n"
	"            count N (1 to 100000, default 1000), with how many\n"
	"            matched; flush deletes the flows of VIP, or of every\n"
	"            VIP, with their NAT ports, and says how many\n"
	"  config    check FILE validates FILE as xlbd would, without xlbd;\n"
	"            reload has xlbd apply its file again, only what changed\n"
	"            (a bad file changes nothing: FILE:LINE says why); dump\n"
	"            prints the running configuration, runtime changes\n"
	"            included, as a file that loads back to the same state\n"
	"  monitor   a line per packet the data plane drops (drops, the\n"
	"            default) or also one in N of the others (all [sample N],\n"
	"            N 1 to 1000000000, default 1): time, hook, interface,\n"
	"            verdict, reason, addresses and ports, VIP and backend;\n"
	"            -j the JSON lines; write FILE: also a pcap file; ends\n"
	"            after count N packets, or when interrupted\n"
	"  detach    remove xlb's programs, links and pins, then stop xlbd\n"
	"\n"
	"Exit status: 0 ok, 1 usage error, 2 daemon or kernel error.\n";

struct ctl {
	bool json;
	bool force; /* --force before the object or -b */
	const char *socket;
	const char *batch; /* -b FILE */
};

struct cmd {
	const char *name;
	int (*fn)(struct ctl *ctl, int argc, char **argv);
};

struct stats_args {
	const char *dev;
	bool watch;
	bool interval_given;
	bool count_given;
	double interval; /* seconds */
	uint64_t count; /* rate samples; 0: until SIGINT */
};

static volatile sig_atomic_t stop;

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Print "xlbctl: MESSAGE (try 'xlbctl help')" and return -EINVAL. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("xlbctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try 'xlbctl help')\n", stderr);
	return -EINVAL;
}

static int unknown_argument(const char *object, const char *word)
{
	if (word[0] == '-' && strcmp(word, "--watch") != 0)
		return usage_error(
			"unknown argument '%s' for '%s'; options go before the object",
			word, object);
	return usage_error("unknown argument '%s' for '%s'", word, object);
}

/* "dev IFNAME" at argv[*i]: a name the kernel could hold. */
static int parse_dev(int argc, char **argv, int *i, const char **dev)
{
	const char *name;
	size_t len;

	if (*dev)
		return usage_error("'dev' given twice");
	if (*i + 1 >= argc)
		return usage_error("'dev' needs an interface name");
	name = argv[++*i];
	len = strlen(name);
	if (len == 0 || len >= XLB_IFNAMSIZ || strchr(name, '/') ||
	    strpbrk(name, " \t\n"))
		return usage_error("invalid interface name '%s'", name);
	*dev = name;
	return 0;
}

static int do_status(struct ctl *ctl, int argc, char **argv)
{
	json_t *data = NULL, *one = NULL;
	const char *dev = NULL;
	int i, ret;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "dev") != 0)
			return unknown_argument("status", argv[i]);
		ret = parse_dev(argc, argv, &i, &dev);
		if (ret)
			return ret;
	}
	ret = client_request(ctl->socket, json_pack("{s:s}", "cmd", "status"),
			     &data);
	if (ret)
		return ret;
	if (dev) {
		ret = show_status_select(data, dev, &one);
		json_decref(data);
		data = one;
		if (ret == -ENOENT) {
			fprintf(stderr, "xlbctl: unknown interface '%s'\n",
				dev);
			return -EINVAL;
		}
		if (ret)
			return show_failed(ret, "status",
					   "\"interfaces\" is not an array");
	}
	ret = show_print(stdout, ctl->json, data, show_status, "status");
	json_decref(data);
	return ret;
}

static int parse_watch_value(int argc, char **argv, int *i,
			     struct stats_args *a)
{
	const char *word = argv[*i];
	bool interval = strcmp(word, "interval") == 0;
	bool *given = interval ? &a->interval_given : &a->count_given;
	const char *value;

	if (*given)
		return usage_error("'%s' given twice", word);
	if (*i + 1 >= argc)
		return usage_error("'%s' needs a value", word);
	value = argv[++*i];
	*given = true;
	if (interval && parse_seconds(value, WATCH_INTERVAL_MIN,
				      WATCH_INTERVAL_MAX, &a->interval))
		return usage_error(
			"interval '%s' is not a number of seconds from 0.1 to 3600",
			value);
	if (!interval && parse_u64(value, 1, WATCH_COUNT_MAX, &a->count))
		return usage_error(
			"count '%s' is not a whole number from 1 to %llu",
			value, WATCH_COUNT_MAX);
	return 0;
}

static int parse_stats(int argc, char **argv, struct stats_args *a)
{
	int i, ret = 0;

	for (i = 0; i < argc && !ret; i++) {
		if (strcmp(argv[i], "dev") == 0) {
			ret = parse_dev(argc, argv, &i, &a->dev);
		} else if (strcmp(argv[i], "--watch") == 0) {
			if (a->watch)
				return usage_error("'--watch' given twice");
			a->watch = true;
		} else if (strcmp(argv[i], "interval") == 0 ||
			   strcmp(argv[i], "count") == 0) {
			ret = parse_watch_value(argc, argv, &i, a);
		} else {
			return unknown_argument("stats", argv[i]);
		}
	}
	if (!ret && !a->watch && (a->interval_given || a->count_given))
		return usage_error("'interval' and 'count' go with '--watch'");
	return ret;
}

static int fetch_stats(struct ctl *ctl, const char *dev, json_t **data)
{
	json_t *req = json_pack("{s:s}", "cmd", "stats");

	if (req && dev && json_object_set_new(req, "dev", json_string(dev))) {
		json_decref(req);
		req = NULL;
	}
	return client_request(ctl->socket, req, data);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * Sleep until the monotonic time t, or until SIGINT/SIGTERM: -EINTR then.
 * The signals are blocked between the check and the wait, so none is lost.
 */
static int wait_until(uint64_t t)
{
	struct timespec ts = { 0 };
	sigset_t block, old;
	uint64_t now = now_ns();
	int ret = 0;

	if (t > now) {
		ts.tv_sec = (t - now) / NSEC_PER_SEC;
		ts.tv_nsec = (t - now) % NSEC_PER_SEC;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	if (!stop && ppoll(NULL, 0, &ts, &old) < 0 && errno != EINTR)
		ret = -errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return stop ? -EINTR : ret;
}

static int print_sample(struct ctl *ctl, json_t *prev, json_t *cur, uint64_t n)
{
	json_t *rates = NULL;
	const char *why = NULL;
	int ret;

	ret = show_rates_compute(prev, cur, &rates, &why);
	if (ret)
		return show_failed(ret, "stats", why);
	if (!ctl->json && n > 0)
		putchar('\n'); /* a blank line between samples */
	ret = show_print(stdout, ctl->json, rates, show_rates, "stats");
	json_decref(rates);
	if (!ret && fflush(stdout)) {
		fprintf(stderr, "xlbctl: writing output: %s\n",
			strerror(errno));
		ret = -EIO;
	}
	return ret;
}

static int stats_watch(struct ctl *ctl, const struct stats_args *a)
{
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART */
	uint64_t step = (uint64_t)(a->interval * NSEC_PER_SEC);
	uint64_t next, n = 0;
	json_t *prev = NULL, *cur = NULL;
	int ret;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = fetch_stats(ctl, a->dev, &prev);
	next = now_ns();
	while (!ret && (a->count == 0 || n < a->count)) {
		next += step;
		if (next < now_ns()) /* fell behind: sample now, no burst */
			next = now_ns();
		ret = wait_until(next);
		if (!ret)
			ret = fetch_stats(ctl, a->dev, &cur);
		if (!ret)
			ret = print_sample(ctl, prev, cur, n++);
		json_decref(prev);
		prev = cur;
		cur = NULL;
	}
	json_decref(prev);
	return ret == -EINTR && stop ? 0 : ret;
}

static int do_stats(struct ctl *ctl, int argc, char **argv)
{
	struct stats_args a = { .interval = WATCH_INTERVAL_DEFAULT };
	json_t *data = NULL;
	int ret;

	ret = parse_stats(argc, argv, &a);
	if (ret)
		return ret;
	if (a.watch)
		return stats_watch(ctl, &a);
	ret = fetch_stats(ctl, a.dev, &data);
	if (ret)
		return ret;
	ret = show_print(stdout, ctl->json, data, show_stats, "stats");
	json_decref(data);
	return ret;
}

static int do_detach(struct ctl *ctl, int argc, char **argv)
{
	json_t *data = NULL;
	int ret;

	if (argc > 0)
		return unknown_argument("detach", argv[0]);
	ret = client_request(ctl->socket, json_pack("{s:s}", "cmd", "detach"),
			     &data);
	if (ret)
		return ret;
	if (ctl->json)
		ret = show_print(stdout, ctl->json, data, NULL, "detach");
	else
		printf("xlbd detached: programs, links and pins removed\n");
	json_decref(data);
	return ret;
}

static int do_filter(struct ctl *ctl, const char *object, int argc, char **argv)
{
	struct filter_opts o = { ctl->socket, ctl->json, ctl->force };

	return filter_run(&o, object, argc, argv);
}

static int do_rule(struct ctl *ctl, int argc, char **argv)
{
	return do_filter(ctl, "rule", argc, argv);
}

static int do_allow(struct ctl *ctl, int argc, char **argv)
{
	return do_filter(ctl, "allow", argc, argv);
}

static int do_deny(struct ctl *ctl, int argc, char **argv)
{
	return do_filter(ctl, "deny", argc, argv);
}

static int do_vip(struct ctl *ctl, int argc, char **argv)
{
	return lb_run(ctl->socket, ctl->json, "vip", argc, argv);
}

static int do_backend(struct ctl *ctl, int argc, char **argv)
{
	return lb_run(ctl->socket, ctl->json, "backend", argc, argv);
}

static int do_conn(struct ctl *ctl, int argc, char **argv)
{
	return lb_run(ctl->socket, ctl->json, "conn", argc, argv);
}

static int do_config(struct ctl *ctl, int argc, char **argv)
{
	return config_run(ctl->socket, ctl->json, argc, argv);
}

static int do_monitor(struct ctl *ctl, int argc, char **argv)
{
	return monitor_run(ctl->socket, ctl->json, argc, argv);
}

/* -b FILE: no object after it. */
static int do_batch(struct ctl *ctl, int argc, char **argv)
{
	struct filter_opts o = { ctl->socket, ctl->json, ctl->force };

	if (argc > 0)
		return usage_error("unexpected argument '%s' after '--batch'",
				   argv[0]);
	return filter_batch_run(&o, ctl->batch);
}

static int do_help(struct ctl *ctl, int argc, char **argv)
{
	(void)ctl;
	if (argc > 0)
		return unknown_argument("help", argv[0]);
	fputs(help_text, stdout);
	return 0;
}

static const struct cmd cmds[] = {
	{ "status", do_status },   { "stats", do_stats },
	{ "rule", do_rule },	   { "allow", do_allow },
	{ "deny", do_deny },	   { "vip", do_vip },
	{ "backend", do_backend }, { "conn", do_conn },
	{ "config", do_config },   { "monitor", do_monitor },
	{ "detach", do_detach },   { "help", do_help },
};

static int dispatch(struct ctl *ctl, int argc, char **argv)
{
	size_t i;

	if (ctl->batch)
		return do_batch(ctl, argc, argv);
	for (i = 0; i < ARRAY_SIZE(cmds) && argc > 0; i++) {
		if (strcmp(argv[0], cmds[i].name) != 0)
			continue;
		if (ctl->force && cmds[i].fn != do_allow &&
		    cmds[i].fn != do_deny && cmds[i].fn != do_rule)
			return usage_error(
				"'--force' goes with allow/deny add/del or --batch");
		return cmds[i].fn(ctl, argc - 1, argv + 1);
	}
	return usage_error("unknown object '%s'", argv[0]);
}

static const struct option long_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "socket", required_argument, NULL, 's' },
	{ "batch", required_argument, NULL, 'b' },
	{ "force", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Global options up to the object; sets *help for -h. */
static int parse_options(int argc, char **argv, struct ctl *ctl, bool *help)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hjs:b:", long_options, NULL)) !=
	       -1) {
		switch (c) {
		case 'j':
			ctl->json = true;
			break;
		case 's':
			if (!optarg[0])
				return usage_error("empty socket path");
			ctl->socket = optarg;
			break;
		case 'b':
			if (ctl->batch)
				return usage_error("'--batch' given twice");
			ctl->batch = optarg;
			break;
		case 'f':
			ctl->force = true;
			break;
		case 'h':
			*help = true;
			break;
		case ':':
			return usage_error("option '%s' needs a %s",
					   argv[optind - 1],
					   optopt == 'b' ? "FILE" : "PATH");
		default:
			if (optopt)
				return usage_error("unknown option '-%c'",
						   optopt);
			return usage_error("unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ctl ctl = { .socket = XLB_DEFAULT_SOCKET };
	bool help = false;
	int ret;

	ret = parse_options(argc, argv, &ctl, &help);
	if (!ret && help) {
		fputs(help_text, stdout);
	} else if (!ret && optind >= argc && !ctl.batch) {
		fputs(help_text, stderr);
		ret = -EINVAL;
	} else if (!ret) {
		ret = dispatch(&ctl, argc - optind, argv + optind);
	}
	if (fflush(stdout) && !ret) {
		fprintf(stderr, "xlbctl: writing output: %s\n",
			strerror(errno));
		ret = -EIO;
	}
	if (ret == 0)
		return XLB_EXIT_OK;
	return ret == -EINVAL ? XLB_EXIT_USAGE : XLB_EXIT_DAEMON;
}
