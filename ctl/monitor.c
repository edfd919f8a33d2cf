// SPDX-License-Identifier: GPL-2.0
/*
 * The packet monitor in xlbd. The `monitor` request is answered, then its
 * connection is handed over here (api.h's stream): from then on it gets
 * one JSON line per event it wants, built once per event whoever else
 * wants it. The ring buffer is read in bounded batches from the poll
 * loop, so a flood of events cannot hold xlbd up; each client's lines go
 * to a fixed buffer sent without blocking, and what does not fit is lost
 * for that client alone and told to it once there is room again. The
 * kernel's own losses (a full ring) are looked at after each batch and
 * once a second, and told to every client. xlb_monitor_conf always holds
 * the union of what the clients want, 0 once the last one is gone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lb.h"
#include "log.h"
#include "maps.h"
#include "monitor.h"
#include "monitor_event.h"
#include "util.h"
#include "xlbd.h"

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_MSEC 1000000ull
/* Events read from the ring per poll round, at most. */
#define MON_BATCH 4096
/* How often the kernel's losses are looked at with no event coming. */
#define MON_CHECK_NS NSEC_PER_SEC
/* Room for the text forms of a VIP or a backend with its port. */
#define MON_NAME_LEN (XLB_VIP_STRLEN + 8)

static __s64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__s64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static int write_conf(struct monitor *m, const struct xlb_monitor_conf *c)
{
	__u32 key = 0;

	if (bpf_map_update_elem(m->dp->map_monitor_conf, &key, c, BPF_ANY))
		return -errno;
	m->conf = *c;
	return 0;
}

/* xlb_monitor_conf as the clients want it together. */
static void update_conf(struct monitor *m)
{
	struct xlb_monitor_conf c = { 0 };
	int ret;

	for (int i = 0; i < MON_MAX_CLIENTS; i++) {
		const struct mon_client *cl = m->clients[i];

		if (!cl)
			continue;
		c.flags |= XLB_MON_DROPS;
		if (!cl->all)
			continue;
		c.flags |= XLB_MON_ALL;
		if (!c.sample || cl->sample < c.sample)
			c.sample = cl->sample;
	}
	if (!memcmp(&c, &m->conf, sizeof(c)))
		return;
	ret = write_conf(m, &c);
	if (ret)
		log_err("monitor: writing xlb_monitor_conf: %s",
			strerror(-ret));
}

static void client_free(struct monitor *m, int i)
{
	close(m->clients[i]->fd);
	free(m->clients[i]->out);
	free(m->clients[i]);
	m->clients[i] = NULL;
}

/* Append a line (text, then a newline) if it fits; false if not. */
static bool append(struct mon_client *c, const char *text, size_t len)
{
	if (c->len + len + 1 > MON_CLIENT_BUF)
		return false;
	memcpy(c->out + c->len, text, len);
	c->out[c->len + len] = '\n';
	c->len += len + 1;
	return true;
}

/* Append the JSON of o (taken) if it fits; false if not. */
static bool append_json(struct mon_client *c, json_t *o)
{
	char *text = o ? json_dumps(o, MON_JSON_FLAGS) : NULL;
	bool ok = text && append(c, text, strlen(text));

	json_decref(o);
	free(text);
	return ok;
}

/* Queue an event's line: after telling what was lost, if it was. */
static void queue(struct mon_client *c, const char *line, size_t len)
{
	if (c->lost) {
		if (!append_json(c, mon_lost_json(c->lost, MON_LOST_XLBD))) {
			c->lost++;
			return;
		}
		c->lost = 0;
	}
	if (!append(c, line, len))
		c->lost++;
}

/* Does client c want event e (dropped or not)? ksample: the kernel's. */
static bool wants(struct mon_client *c, bool dropped, __u32 ksample)
{
	if (dropped)
		return true;
	if (!c->all)
		return false;
	/* The kernel sent one in ksample passes; keep one in c->sample. */
	c->credit += ksample ? ksample : 1;
	if (c->credit < c->sample)
		return false;
	c->credit -= c->sample;
	return true;
}

/* The name of ifindex: xlbd's record of it, else the kernel's. */
static const char *ifname_of(struct monitor *m, __u32 ifindex)
{
	char name[IF_NAMESIZE];
	struct xlb_iface ifc;

	if (m->name_ifindex == ifindex && m->ifname[0])
		return m->ifname;
	m->name_ifindex = ifindex;
	m->ifname[0] = '\0';
	if (!maps_iface_get(m->dp->map_ifaces, ifindex, &ifc) && ifc.active)
		snprintf(m->ifname, sizeof(m->ifname), "%.*s",
			 (int)sizeof(ifc.name), ifc.name);
	else if (if_indextoname(ifindex, name))
		snprintf(m->ifname, sizeof(m->ifname), "%s", name);
	return m->ifname[0] ? m->ifname : NULL;
}

/* The text forms of the event's VIP and backend, as xlbd has them. */
static void lb_names(const struct lb *lb, const struct xlb_mon_event *e,
		     char *vip, char *backend, struct mon_names *n)
{
	const struct lb_backend *b;
	char a[XLB_VIP_STRLEN];

	if (e->vip < XLB_MAX_VIPS && lb->vips[e->vip].in_use &&
	    xlb_format_vip(&lb->vips[e->vip].vip, vip, MON_NAME_LEN) > 0)
		n->vip = vip;
	if (e->backend >= XLB_MAX_BACKENDS || !lb->backends[e->backend].in_use)
		return;
	b = &lb->backends[e->backend];
	if (xlb_format_addr(&b->addr, a, sizeof(a)) <= 0)
		return;
	if (!lb_backend_port(lb, e->backend))
		snprintf(backend, MON_NAME_LEN, "%s", a);
	else if (b->addr.family == XLB_FAMILY_V6)
		snprintf(backend, MON_NAME_LEN, "[%s]:%u", a,
			 lb_backend_port(lb, e->backend));
	else
		snprintf(backend, MON_NAME_LEN, "%s:%u", a,
			 lb_backend_port(lb, e->backend));
	n->backend = backend;
}

static char *event_line(struct monitor *m, const struct xlb_mon_event *e)
{
	char vip[MON_NAME_LEN], backend[MON_NAME_LEN], *text;
	struct mon_names n = { .real_offset_ns = m->real_offset_ns };
	json_t *o;

	n.ifname = ifname_of(m, e->ifindex);
	lb_names(m->lb, e, vip, backend, &n);
	o = mon_event_json(e, &n);
	text = o ? json_dumps(o, MON_JSON_FLAGS) : NULL;
	json_decref(o);
	return text;
}

/* ring_buffer__consume()'s callback: one event to whoever wants it.
 * A negative return ends the batch (libbpf keeps the rest). */
static int on_event(void *ctx, void *data, size_t size)
{
	struct monitor *m = ctx;
	const struct xlb_mon_event *e = data;
	bool dropped = e->verdict == XLB_VERDICT_DROP ||
		       e->verdict == XLB_VERDICT_ABORTED;
	char *line = NULL;

	if (size < sizeof(*e))
		return 0;
	for (int i = 0; i < MON_MAX_CLIENTS; i++) {
		struct mon_client *c = m->clients[i];

		if (!c || !wants(c, dropped, m->conf.sample))
			continue;
		if (!line)
			line = event_line(m, e);
		if (!line) {
			c->lost++;
			continue;
		}
		queue(c, line, strlen(line));
	}
	free(line);
	return ++m->batch < MON_BATCH ? 0 : -EAGAIN;
}

/* Tell every client the events the kernel lost since it last heard. */
static void check_kernel_lost(struct monitor *m)
{
	struct xlb_monitor_cpu sum;

	if (maps_percpu_sum(m->dp->map_monitor_cpu, 0, &sum, sizeof(sum)))
		return;
	for (int i = 0; i < MON_MAX_CLIENTS; i++) {
		struct mon_client *c = m->clients[i];

		if (c && sum.lost > c->kernel_lost &&
		    append_json(c, mon_lost_json(sum.lost - c->kernel_lost,
						 MON_LOST_KERNEL)))
			c->kernel_lost = sum.lost;
	}
}

int monitor_open(struct monitor *m, struct xlb_dp *dp, struct lb *lb, char *err,
		 size_t errlen)
{
	struct xlb_monitor_conf off = { 0 };
	int ret;

	memset(m, 0, sizeof(*m));
	m->dp = dp;
	m->lb = lb;
	ret = write_conf(m, &off);
	if (ret) {
		errf(err, errlen, "monitor: clearing xlb_monitor_conf: %s",
		     strerror(-ret));
		return ret;
	}
	m->rb = ring_buffer__new(dp->map_monitor, on_event, m, NULL);
	if (!m->rb) {
		ret = -errno;
		errf(err, errlen, "monitor: ring buffer: %s", strerror(-ret));
		return ret;
	}
	/* What a former xlbd left in the ring is nobody's: no client. */
	do
		m->batch = 0;
	while (ring_buffer__consume(m->rb) == -EAGAIN);
	return 0;
}

void monitor_close(struct monitor *m)
{
	for (int i = 0; i < MON_MAX_CLIENTS; i++)
		if (m->clients[i])
			client_free(m, i);
	if (m->rb)
		update_conf(m);
	ring_buffer__free(m->rb);
	m->rb = NULL;
}

bool monitor_has_room(const struct monitor *m)
{
	for (int i = 0; i < MON_MAX_CLIENTS; i++)
		if (!m->clients[i])
			return true;
	return false;
}

/* The kernel's losses so far, summed over CPUs (0 if unreadable). */
static __u64 kernel_lost(const struct monitor *m)
{
	struct xlb_monitor_cpu sum;

	if (maps_percpu_sum(m->dp->map_monitor_cpu, 0, &sum, sizeof(sum)))
		return 0;
	return sum.lost;
}

int monitor_attach(struct monitor *m, int fd, bool all, __u32 sample)
{
	struct mon_client *c = calloc(1, sizeof(*c));
	int i;

	for (i = 0; i < MON_MAX_CLIENTS && m->clients[i]; i++)
		;
	if (c)
		c->out = malloc(MON_CLIENT_BUF);
	if (i == MON_MAX_CLIENTS || !c || !c->out) {
		if (c)
			free(c->out);
		free(c);
		close(fd);
		return i == MON_MAX_CLIENTS ? -EBUSY : -ENOMEM;
	}
	c->fd = fd;
	c->all = all;
	c->sample = sample ? sample : 1;
	c->kernel_lost = kernel_lost(m);
	m->clients[i] = c;
	update_conf(m);
	log_info("monitor: a client started (%s, sample %u)",
		 all ? "all" : "drops", c->sample);
	return 0;
}

int monitor_pollfds(struct monitor *m, struct pollfd *pfds, int max)
{
	int n = 0;

	for (int i = 0; i < MON_MAX_CLIENTS; i++) {
		const struct mon_client *c = m->clients[i];

		/* The first client brings the ring's fd with it. */
		if (!c || n + (n ? 1 : 2) > max)
			continue;
		if (!n)
			pfds[n++] = (struct pollfd){
				.fd = ring_buffer__epoll_fd(m->rb),
				.events = POLLIN
			};
		pfds[n++] = (struct pollfd){
			.fd = c->fd, .events = POLLIN | (c->len ? POLLOUT : 0)
		};
	}
	return n;
}

int monitor_timeout(const struct monitor *m)
{
	for (int i = 0; i < MON_MAX_CLIENTS; i++)
		if (m->clients[i])
			return poll_timeout_ms(m->check_at_ns);
	return -1;
}

/* Anything from a client is read and ignored; false once it is gone. */
static bool client_alive(struct mon_client *c)
{
	char buf[256];
	ssize_t r;

	do
		r = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	while (r > 0);
	return r < 0 && (errno == EAGAIN || errno == EINTR);
}

/* Send what the client's buffer holds, as much as it takes now. */
static int flush(struct mon_client *c)
{
	ssize_t w;

	if (!c->len)
		return 0;
	w = send(c->fd, c->out, c->len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	memmove(c->out, c->out + w, c->len - w);
	c->len -= w;
	return 0;
}

/* Did poll() report anything on fd? */
static bool polled(const struct pollfd *pfds, int n, int fd)
{
	for (int k = 0; k < n; k++)
		if (pfds[k].fd == fd)
			return pfds[k].revents != 0;
	return false;
}

void monitor_process(struct monitor *m, const struct pollfd *pfds, int n)
{
	bool gone = false;

	if (n > 0 && pfds[0].revents) {
		m->real_offset_ns =
			clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
		m->batch = 0;
		m->name_ifindex = 0;
		ring_buffer__consume(m->rb);
	}
	if (n > 0 && (pfds[0].revents || now_ns() >= m->check_at_ns)) {
		check_kernel_lost(m);
		m->check_at_ns = now_ns() + MON_CHECK_NS;
	}
	for (int i = 0; i < MON_MAX_CLIENTS; i++) {
		struct mon_client *c = m->clients[i];

		if (!c)
			continue;
		if ((polled(pfds, n, c->fd) && !client_alive(c)) || flush(c)) {
			client_free(m, i);
			gone = true;
		}
	}
	if (gone) {
		update_conf(m);
		log_info("monitor: a client left");
	}
}

/* The monitor request: {"mode": "drops"|"all", "sample": N (all)}. */
static int parse_request(json_t *req, bool *all, __u32 *sample,
			 struct api_error *e)
{
	json_t *mode = json_object_get(req, "mode");
	json_t *s = json_object_get(req, "sample");
	const char *m = mode ? json_string_value(mode) : "drops";

	e->code = API_USAGE;
	if (!m || (strcmp(m, "drops") && strcmp(m, "all")))
		return errf(e->msg, sizeof(e->msg),
			    "monitor: \"mode\" must be \"drops\" or \"all\"");
	*all = !strcmp(m, "all");
	*sample = 1;
	if (!s)
		return 0;
	if (!*all)
		return errf(e->msg, sizeof(e->msg),
			    "monitor: \"sample\" goes with mode \"all\"");
	if (!json_is_integer(s) || json_integer_value(s) < 1 ||
	    json_integer_value(s) > MON_SAMPLE_MAX)
		return errf(e->msg, sizeof(e->msg),
			    "monitor: \"sample\" must be 1 to %u",
			    MON_SAMPLE_MAX);
	*sample = json_integer_value(s);
	return 0;
}

static json_t *cmd_monitor(void *ctx, json_t *req, struct api_error *e)
{
	struct xlbd *d = ctx;
	__u32 sample;
	bool all;

	if (parse_request(req, &all, &sample, e))
		return NULL;
	if (!monitor_has_room(&d->mon)) {
		e->code = API_FAILED;
		snprintf(
			e->msg, sizeof(e->msg),
			"monitor: %d monitors run already, the most there can be",
			MON_MAX_CLIENTS);
		return NULL;
	}
	return json_pack("{s:s, s:i, s:i}", "mode", all ? "all" : "drops",
			 "sample", (int)sample, "snaplen", XLB_MON_SNAPLEN);
}

static int stream_monitor(void *ctx, int fd, json_t *req)
{
	struct xlbd *d = ctx;
	struct api_error e;
	__u32 sample;
	bool all;

	if (parse_request(req, &all, &sample, &e)) {
		close(fd);
		return -EINVAL;
	}
	return monitor_attach(&d->mon, fd, all, sample);
}

const struct api_cmd monitor_cmds[] = {
	{ "monitor", cmd_monitor, stream_monitor },
};
const size_t monitor_n_cmds = ARRAY_SIZE(monitor_cmds);
