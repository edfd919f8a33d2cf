// SPDX-License-Identifier: GPL-2.0
/*
 * xlbctl monitor: asks xlbd for the stream of packet events, prints each
 * as a line of text (or passes its JSON line on with -j) and, with
 * `write FILE`, also writes it to a pcap file that tcpdump reads (libpcap:
 * Ethernet, the snap length xlbd's reply gives, each record with the
 * packet's time, captured bytes and length on the wire). It ends after
 * `count` packets (exit 0), on SIGINT or SIGTERM (exit 0, the file
 * flushed and closed), or when xlbd ends the stream (exit 2). SIGINT and
 * SIGTERM are blocked except while waiting for input, so none is lost
 * between a check and the wait.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "client.h"
#include "cmd_monitor.h"
#include "monitor_text.h"

#define READ_CHUNK 65536
/* A stream line is an event (a few hundred bytes) or a loss count. */
#define LINE_MAX_BYTES 65536

static volatile sig_atomic_t stopped;

static void on_signal(int sig)
{
	(void)sig;
	stopped = 1;
}

/* The stream as it is read: bytes not yet split into lines. */
struct stream {
	int fd;
	char buf[READ_CHUNK + LINE_MAX_BYTES];
	size_t len;
	sigset_t waitmask; /* the signal mask while waiting */
};

/* Where each packet goes. */
struct sink {
	bool json;
	pcap_t *pcap;
	pcap_dumper_t *dump;
	const char *path;
	int snaplen;
};

/*
 * The next line of the stream, without its newline, into *line (valid
 * until the next call). 1 for a line, 0 at the end of the stream,
 * -EINTR when stopped, -errno on errors.
 */
static int next_line(struct stream *s, char **line, size_t *used)
{
	char *nl;
	ssize_t r;
	struct pollfd p = { .fd = s->fd, .events = POLLIN };

	memmove(s->buf, s->buf + *used, s->len - *used);
	s->len -= *used;
	*used = 0;
	while (!(nl = memchr(s->buf, '\n', s->len))) {
		if (s->len >= sizeof(s->buf) - 1)
			return -EMSGSIZE;
		if (stopped)
			return -EINTR;
		if (ppoll(&p, 1, NULL, &s->waitmask) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		r = recv(s->fd, s->buf + s->len, sizeof(s->buf) - 1 - s->len,
			 MSG_DONTWAIT);
		if (r == 0)
			return 0;
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (r > 0)
			s->len += r;
	}
	*nl = '\0';
	*line = s->buf;
	*used = nl - s->buf + 1;
	return 1;
}

static int sink_open(struct sink *k, const char *path, int snaplen)
{
	k->path = path;
	k->snaplen = snaplen;
	if (!path)
		return 0;
	k->pcap = pcap_open_dead(DLT_EN10MB, snaplen);
	if (!k->pcap) {
		fprintf(stderr, "xlbctl: monitor: pcap: out of memory\n");
		return -ENOMEM;
	}
	k->dump = pcap_dump_open(k->pcap, path);
	if (!k->dump) {
		fprintf(stderr, "xlbctl: monitor: %s: %s\n", path,
			pcap_geterr(k->pcap));
		pcap_close(k->pcap);
		k->pcap = NULL;
		return -EIO;
	}
	return 0;
}

static int sink_close(struct sink *k)
{
	int ret = 0;

	if (k->dump && pcap_dump_flush(k->dump)) {
		fprintf(stderr, "xlbctl: monitor: %s: writing failed\n",
			k->path);
		ret = -EIO;
	}
	if (k->dump)
		pcap_dump_close(k->dump);
	if (k->pcap)
		pcap_close(k->pcap);
	return ret;
}

/* One record of a packet line in the pcap file. */
static int sink_record(struct sink *k, json_t *ev)
{
	struct pcap_pkthdr h = { 0 };
	uint8_t bytes[XLB_MON_SNAPLEN];
	int n = monitor_bytes(ev, bytes, sizeof(bytes), &h.len);

	if (n < 0 || monitor_time(ev, &h.ts))
		return -EPROTO;
	h.caplen = n;
	pcap_dump((u_char *)k->dump, &h, bytes);
	return 0;
}

/* One line of the stream out: text or JSON, and a record. 1 for a
 * packet, 0 for anything else, -errno when the line is not valid. */
static int put_line(struct sink *k, const char *line, size_t len)
{
	char text[MONITOR_LINE_MAX];
	enum monitor_line kind;
	json_t *ev = json_loadb(line, len, 0, NULL);
	int ret = ev ? monitor_kind(ev, &kind) : -EPROTO;

	if (!ret && !k->json)
		ret = monitor_text(ev, text, sizeof(text));
	if (!ret && kind == MONITOR_PACKET && k->dump)
		ret = sink_record(k, ev);
	json_decref(ev);
	if (ret) {
		fprintf(stderr, "xlbctl: monitor: malformed line from xlbd\n");
		return ret;
	}
	if (k->json)
		printf("%.*s\n", (int)len, line);
	else
		printf("%s\n", text);
	/* Each line as it comes, whoever reads it. */
	if (fflush(stdout)) {
		fprintf(stderr, "xlbctl: writing output: %s\n",
			strerror(errno));
		return -EIO;
	}
	return kind == MONITOR_PACKET;
}

/* Lines until count packets (0: no end), the stream's end, or a stop. */
static int relay(struct stream *s, struct sink *k, uint64_t count)
{
	uint64_t packets = 0;
	size_t used = 0;
	char *line;
	int ret;

	while (!count || packets < count) {
		ret = next_line(s, &line, &used);
		if (ret == -EINTR)
			return 0;
		if (ret == 0) {
			fprintf(stderr, "xlbctl: monitor: xlbd ended the "
					"stream\n");
			return -ECONNRESET;
		}
		if (ret < 0) {
			fprintf(stderr, "xlbctl: monitor: reading: %s\n",
				strerror(-ret));
			return ret;
		}
		ret = put_line(k, line, used - 1);
		if (ret < 0)
			return ret;
		packets += ret;
	}
	return 0;
}

/* SIGINT and SIGTERM: blocked, caught, and let through while waiting. */
static void signals_setup(sigset_t *waitmask)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int monitor_run(const char *socket, bool json, int argc, char **argv)
{
	struct client_error cerr = { .code = XLB_EXIT_DAEMON };
	static struct stream s;
	char err[MONITOR_ERRLEN];
	struct monitor_args a;
	struct sink k = { .json = json };
	json_t *data = NULL;
	int ret, snaplen;

	ret = monitor_parse(argc, argv, &a, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "xlbctl: monitor: %s\n",
			ret == -ENOMEM ? "out of memory" : err);
		return ret;
	}
	signals_setup(&s.waitmask);
	s.fd = client_stream(socket, a.req, &data, &cerr);
	json_decref(a.req);
	if (s.fd < 0)
		return client_report(s.fd, &cerr, NULL);
	snaplen = json_integer_value(json_object_get(data, "snaplen"));
	json_decref(data);
	ret = sink_open(&k, a.write,
			snaplen > 0 && snaplen <= XLB_MON_SNAPLEN ?
				snaplen :
				XLB_MON_SNAPLEN);
	if (!ret)
		ret = relay(&s, &k, a.count);
	close(s.fd);
	if (sink_close(&k) && !ret)
		ret = -EIO;
	return ret;
}
