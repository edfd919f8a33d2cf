// modules: fault api metrics metrics_parse netlink log util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of resource faults (no privileges): a fault logged once per
 * kind and place within the interval, its recovery told once, the
 * back-off's delays; then, with this process's RLIMIT_NOFILE lowered
 * until no descriptor is free, the spare descriptor shedding a waiting
 * connection, and both servers (the control socket, /metrics) answering
 * new clients "try again" at once and leaving their listening sockets
 * unreadable (so poll() cannot spin), stopping to accept for a while
 * when even the spare is gone, and serving again once descriptors are
 * free; and which netlink errors are answers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "api.h"
#include "fault.h"
#include "harness.h"
#include "log.h"
#include "metrics.h"
#include "netlink.h"
#include "util.h"

#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull
/* Descriptors this test may have to take to leave none free. */
#define MAX_FILLERS 256
/* Clients kept waiting while the server is out of descriptors. */
#define N_WAITING 3

static void test_kinds(void)
{
	check(fault_is_resource(EMFILE) && fault_is_resource(ENFILE) &&
		      fault_is_resource(ENOMEM) && fault_is_resource(ENOBUFS),
	      "EMFILE, ENFILE, ENOMEM, ENOBUFS are resource faults");
	check(!fault_is_resource(ECONNREFUSED) && !fault_is_resource(0),
	      "ECONNREFUSED is not");
	check(fault_kind_of(EMFILE) != fault_kind_of(ENOMEM) &&
		      fault_kind_of(EPROTO) == FAULT_OTHER,
	      "kinds apart");
}

static void test_log_once(void)
{
	struct fault f;
	uint64_t t = 5 * NS_PER_S;

	fault_init(&f, "test: place", "nothing", 100, 1000);
	check(fault_hit(&f, EMFILE, t), "the first fault is logged");
	check(!fault_hit(&f, EMFILE, t + NS_PER_S), "the second is not");
	check(fault_hit(&f, ENOMEM, t + 2 * NS_PER_S),
	      "another kind is logged");
	check(fault_hit(&f, EMFILE, t + (FAULT_LOG_INTERVAL_S + 1) * NS_PER_S),
	      "the first kind again after the interval");
	check(f.faults == 4, "4 faults counted, got %llu",
	      (unsigned long long)f.faults);
	check(fault_ok(&f), "the recovery is logged");
	check(!fault_ok(&f), "once");
	check(!fault_hit(&f, EMFILE, t + (FAULT_LOG_INTERVAL_S + 2) * NS_PER_S),
	      "a new fault within the interval is not logged");
	check(!fault_ok(&f), "nor its recovery");
	check(f.faults == 1, "but it is counted for the next, got %llu",
	      (unsigned long long)f.faults);
}

static void test_back_off(void)
{
	static const uint32_t want[] = { 100, 200, 400, 800, 1000, 1000 };
	struct fault f;
	uint64_t t = NS_PER_S;

	fault_init(&f, "test: place", "nothing", 100, 1000);
	check(fault_due(&f, t) && fault_timeout_ms(&f) == -1,
	      "no back-off at first");
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		fault_back_off(&f, t);
		check(f.delay_ms == want[i], "delay %zu: %u ms, want %u", i,
		      f.delay_ms, want[i]);
	}
	check(!fault_due(&f, t + 999 * NS_PER_MS), "not due before");
	check(fault_due(&f, t + 1000 * NS_PER_MS), "due after");
	fault_hit(&f, EMFILE, t);
	fault_ok(&f);
	check(fault_due(&f, t) && fault_timeout_ms(&f) == -1 && !f.delay_ms,
	      "a success ends the back-off");
}

static void test_nl_answers(void)
{
	static const int answers[] = { ENETUNREACH, EHOSTUNREACH, EACCES,
				       ENODEV, ENOENT };
	static const int failures[] = { EMFILE, ENFILE, ENOMEM, ENOBUFS,
					EAGAIN, EPROTO, EINTR };

	for (size_t i = 0; i < ARRAY_SIZE(answers); i++)
		check(nl_err_is_answer(-answers[i]), "%s is an answer",
		      strerror(answers[i]));
	for (size_t i = 0; i < ARRAY_SIZE(failures); i++)
		check(!nl_err_is_answer(-failures[i]), "%s is no answer",
		      strerror(failures[i]));
}

/* Every descriptor taken: the soft limit lowered, the holes filled. */
struct exhaust {
	struct rlimit old;
	int fill[MAX_FILLERS];
	int n;
};

static int highest_fd(rlim_t limit)
{
	int top = -1;

	for (int fd = 0; fd < (int)limit && fd < 65536; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			top = fd;
	return top;
}

static bool exhaust(struct exhaust *x)
{
	struct rlimit r;
	int fd;

	x->n = 0;
	getrlimit(RLIMIT_NOFILE, &x->old);
	r = x->old;
	r.rlim_cur = highest_fd(x->old.rlim_cur) + 1;
	if (!check(!setrlimit(RLIMIT_NOFILE, &r), "lower RLIMIT_NOFILE"))
		return false;
	while (x->n < MAX_FILLERS && (fd = open("/dev/null", O_RDONLY)) >= 0)
		x->fill[x->n++] = fd;
	return check(errno == EMFILE, "no descriptor left: %s",
		     strerror(errno));
}

static void unexhaust(struct exhaust *x)
{
	while (x->n)
		close(x->fill[--x->n]);
	setrlimit(RLIMIT_NOFILE, &x->old);
}

/* A listening unix socket at an abstract address named after tag. */
static int unix_listener(const char *tag, struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1,
		 "xlb-test-fault-%d-%s", (int)getpid(), tag);
	if (bind(fd, (struct sockaddr *)sa, sizeof(*sa)) || listen(fd, 8)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read what fd holds until it is closed, at most ms milliseconds. */
static bool read_all(int fd, char *buf, size_t cap, int ms)
{
	size_t len = 0;
	uint64_t end = now_ns() + (uint64_t)ms * NS_PER_MS;

	while (now_ns() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		poll(&p, 1, 10);
		r = recv(fd, buf + len, cap - 1 - len, MSG_DONTWAIT);
		if (r == 0) {
			buf[len] = '\0';
			return true;
		}
		if (r > 0)
			len += r;
	}
	buf[len] = '\0';
	return false;
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static void test_shed(void)
{
	struct sockaddr_un sa;
	int lfd = unix_listener("shed", &sa);
	int cfd = socket(AF_UNIX, SOCK_STREAM, 0);
	int reserve = fault_reserve_open();
	struct exhaust x;
	char buf[64];

	if (!check(lfd >= 0 && cfd >= 0 && reserve >= 0, "set up"))
		return;
	if (exhaust(&x)) {
		check(!connect(cfd, (struct sockaddr *)&sa, sizeof(sa)),
		      "connect");
		check(accept4(lfd, NULL, NULL, 0) < 0 && errno == EMFILE,
		      "accept fails with EMFILE");
		check(readable(lfd), "the listening socket stays readable");
		check(fault_shed(lfd, &reserve, "bye\n") == 0, "shed one");
		check(!readable(lfd), "then it is not");
		check(read_all(cfd, buf, sizeof(buf), 1000) &&
			      !strcmp(buf, "bye\n"),
		      "the client heard '%s' and the close", buf);
		check(reserve >= 0, "the reserve is back");
		check(fault_shed(lfd, &reserve, "bye\n") == -EAGAIN,
		      "nothing more to shed");
	}
	unexhaust(&x);
	close(reserve);
	close(cfd);
	close(lfd);
}

static json_t *cmd_hello(void *ctx, json_t *req, struct api_error *e)
{
	(void)ctx;
	(void)req;
	(void)e;
	return json_object();
}

static const struct api_cmd hello_cmds[] = { { "hello", cmd_hello } };

/* Poll the control socket server for ms milliseconds; poll() rounds. */
static int pump_api(struct api_server *srv, int ms)
{
	struct pollfd pfds[API_MAX_CLIENTS + 1];
	uint64_t end = now_ns() + (uint64_t)ms * NS_PER_MS;
	int rounds = 0;

	while (now_ns() < end) {
		int n = api_pollfds(srv, pfds, API_MAX_CLIENTS + 1);
		int t = api_timeout(srv), left = ms;

		if (t >= 0 && t < left)
			left = t;
		if (poll(pfds, n, left) > 0)
			rounds++;
		api_process(srv, pfds, n);
	}
	return rounds;
}

static int unix_client(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The control socket server, out of descriptors: clients told to try
 * again at once, no busy loop, back-off without a spare, recovery. */
static void test_api(void)
{
	char dir[] = "/tmp/xlb-test-fault.XXXXXX", path[64], err[256];
	struct api_server srv = { .cmds = hello_cmds, .n_cmds = 1 };
	int cfd[N_WAITING], ok = 0, rounds, late;
	struct exhaust x;
	char buf[256];

	if (!check(mkdtemp(dir), "mkdtemp"))
		return;
	snprintf(path, sizeof(path), "%s/xlbd.sock", dir);
	if (!check(!api_open(&srv, path, err, sizeof(err)), "open: %s", err))
		return;
	for (int i = 0; i < N_WAITING; i++)
		cfd[i] = socket(AF_UNIX, SOCK_STREAM, 0);
	late = socket(AF_UNIX, SOCK_STREAM, 0);
	if (exhaust(&x)) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
		for (int i = 0; i < N_WAITING; i++)
			connect(cfd[i], (struct sockaddr *)&sa, sizeof(sa));
		rounds = pump_api(&srv, 200);
		check(rounds <= N_WAITING + 1, "%d poll rounds in 200 ms",
		      rounds);
		for (int i = 0; i < N_WAITING; i++)
			ok += read_all(cfd[i], buf, sizeof(buf), 500) &&
			      strstr(buf, "out of file descriptors: try again");
		check(ok == N_WAITING, "%d of %d clients told to try again", ok,
		      N_WAITING);
		check(srv.accept_fault.told, "the fault is logged");

		/* Without a spare: accepting stops for a while. */
		close(srv.reserve);
		srv.reserve = -1;
		x.fill[x.n++] = open("/dev/null", O_RDONLY);
		connect(late, (struct sockaddr *)&sa, sizeof(sa));
		pump_api(&srv, 20);
		check(srv.accept_fault.delay_ms >= 100 &&
			      api_timeout(&srv) >= 0,
		      "backing off: %u ms, %d left", srv.accept_fault.delay_ms,
		      api_timeout(&srv));
	}
	unexhaust(&x);
	pump_api(&srv, 1200);
	check(srv.reserve >= 0, "the spare is back once fds are free");
	close(late);
	late = unix_client(path);
	send(late, "{\"cmd\":\"hello\"}\n", 16, 0);
	pump_api(&srv, 50);
	memset(buf, 0, sizeof(buf));
	check(recv(late, buf, sizeof(buf) - 1, MSG_DONTWAIT) > 0 &&
		      strstr(buf, "\"ok\":true"),
	      "served again: %s", buf);
	check(!srv.accept_fault.failing, "recovered");
	close(late);
	for (int i = 0; i < N_WAITING; i++)
		close(cfd[i]);
	api_close(&srv);
	rmdir(dir);
}

static int fake_body(void *ctx, FILE *out)
{
	(void)ctx;
	fputs("xlb_up 1\n", out);
	return 0;
}

static int metrics_port(struct metrics_server *srv)
{
	struct metrics_addr a = { .len = sizeof(struct sockaddr_in) };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a.ss;
	socklen_t len = sizeof(*s4);
	char err[256];

	s4->sin_family = AF_INET;
	s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(srv, 0, sizeof(*srv));
	srv->body = fake_body;
	if (!check(!metrics_open(srv, &a, err, sizeof(err)), "open: %s", err))
		return -1;
	getsockname(srv->fd, (struct sockaddr *)s4, &len);
	return ntohs(s4->sin_port);
}

static int pump_metrics(struct metrics_server *srv, int ms)
{
	struct pollfd pfds[METRICS_MAX_CLIENTS + 1];
	uint64_t end = now_ns() + (uint64_t)ms * NS_PER_MS;
	int rounds = 0;

	while (now_ns() < end) {
		int n = metrics_pollfds(srv, pfds, METRICS_MAX_CLIENTS + 1);
		int t = metrics_timeout(srv), left = ms;

		if (t >= 0 && t < left)
			left = t;
		if (poll(pfds, n, left) > 0)
			rounds++;
		metrics_process(srv, pfds, n);
	}
	return rounds;
}

/* /metrics out of descriptors: 503 at once, no busy loop, recovery. */
static void test_metrics(void)
{
	static const char req[] = "GET /metrics HTTP/1.0\r\n\r\n";
	struct metrics_server srv;
	int port = metrics_port(&srv), cfd[N_WAITING], ok = 0, rounds;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct exhaust x;
	char buf[512];

	if (port <= 0)
		return;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < N_WAITING; i++)
		cfd[i] = socket(AF_INET, SOCK_STREAM, 0);
	if (exhaust(&x)) {
		for (int i = 0; i < N_WAITING; i++) {
			connect(cfd[i], (struct sockaddr *)&sa, sizeof(sa));
			send(cfd[i], req, sizeof(req) - 1, 0);
		}
		rounds = pump_metrics(&srv, 200);
		check(rounds <= N_WAITING + 1, "%d poll rounds in 200 ms",
		      rounds);
		for (int i = 0; i < N_WAITING; i++)
			ok += read_all(cfd[i], buf, sizeof(buf), 500) &&
			      !strncmp(buf, "HTTP/1.1 503 ", 13);
		check(ok == N_WAITING, "%d of %d clients answered 503", ok,
		      N_WAITING);
	}
	unexhaust(&x);
	for (int i = 0; i < N_WAITING; i++)
		close(cfd[i]);
	cfd[0] = socket(AF_INET, SOCK_STREAM, 0);
	connect(cfd[0], (struct sockaddr *)&sa, sizeof(sa));
	send(cfd[0], req, sizeof(req) - 1, 0);
	pump_metrics(&srv, 50);
	check(read_all(cfd[0], buf, sizeof(buf), 500) &&
		      !strncmp(buf, "HTTP/1.1 200 ", 13),
	      "served again: %.20s", buf);
	check(!srv.accept_fault.failing, "recovered");
	close(cfd[0]);
	metrics_close(&srv);
}

int main(void)
{
	static const struct harness_test tests[] = {
		{ "kinds", test_kinds },
		{ "logged once per kind and place", test_log_once },
		{ "back-off", test_back_off },
		{ "netlink answers", test_nl_answers },
		{ "spare descriptor sheds a connection", test_shed },
		{ "control socket out of fds", test_api },
		{ "/metrics out of fds", test_metrics },
	};

	log_set_level(LOG_ERR);
	harness_run_table(tests, ARRAY_SIZE(tests));
	return harness_done();
}
