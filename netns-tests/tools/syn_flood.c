// SPDX-License-Identifier: GPL-2.0
/*
 * A SYN flood for the NAT port tests: TCP SYNs to DST:PORT from random
 * addresses of PREFIX and random ports and sequence numbers, for SECS
 * seconds, as fast as one thread sends them: built in batches and sent
 * with sendmmsg() through a raw IPv4 socket, which the kernel routes
 * like any packet of the namespace (it fills in the IP checksum; the TCP
 * checksum is computed here). Sends the kernel refuses (ENOBUFS) are
 * not counted. Prints {"sent": N, "ms": N, "per_s": N, "seed": N}.
 *
 * Usage: syn_flood DST PORT SECS PREFIX/LEN
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define TTL 64
#define WINDOW 64240

struct syn {
	struct iphdr ip;
	struct tcphdr tcp;
};

struct flood {
	struct sockaddr_in dst;
	uint32_t net, host_mask; /* host order */
	long secs;
	uint64_t rng;
};

/* xorshift64*: fast, and good enough for addresses and ports. */
static uint32_t rnd(struct flood *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return (f->rng * 0x2545f4914f6cdd1dull) >> 32;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* The TCP checksum of s, over the pseudo header and the header. */
static uint16_t tcp_csum(const struct syn *s)
{
	const uint16_t *w = (const uint16_t *)&s->tcp;
	uint32_t sum = 0;

	sum += (s->ip.saddr >> 16) + (s->ip.saddr & 0xffff);
	sum += (s->ip.daddr >> 16) + (s->ip.daddr & 0xffff);
	sum += htons(IPPROTO_TCP) + htons(sizeof(s->tcp));
	for (size_t i = 0; i < sizeof(s->tcp) / 2; i++)
		sum += w[i];
	return fold(sum);
}

static void syn_fill(struct flood *f, struct syn *s)
{
	uint32_t host;

	memset(s, 0, sizeof(*s));
	do
		host = rnd(f) & f->host_mask;
	while (!host || host == f->host_mask);
	s->ip.version = 4;
	s->ip.ihl = sizeof(s->ip) / 4;
	s->ip.ttl = TTL;
	s->ip.protocol = IPPROTO_TCP;
	s->ip.tot_len = htons(sizeof(*s));
	s->ip.saddr = htonl(f->net | host);
	s->ip.daddr = f->dst.sin_addr.s_addr;
	s->tcp.source = htons(1024 + rnd(f) % (65536 - 1024));
	s->tcp.dest = f->dst.sin_port;
	s->tcp.seq = rnd(f);
	s->tcp.doff = sizeof(s->tcp) / 4;
	s->tcp.syn = 1;
	s->tcp.window = htons(WINDOW);
	s->tcp.check = tcp_csum(s);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int flood(struct flood *f, int fd, long *sent)
{
	static struct syn pkts[BATCH];
	struct mmsghdr msgs[BATCH] = {};
	struct iovec iov[BATCH];
	double end = now_s() + f->secs;
	int n;

	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = &pkts[i];
		iov[i].iov_len = sizeof(pkts[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &f->dst;
		msgs[i].msg_hdr.msg_namelen = sizeof(f->dst);
	}
	while (now_s() < end) {
		for (int i = 0; i < BATCH; i++)
			syn_fill(f, &pkts[i]);
		n = sendmmsg(fd, msgs, BATCH, 0);
		if (n < 0 && errno != ENOBUFS && errno != EINTR)
			return -errno;
		if (n > 0)
			*sent += n;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct flood *f)
{
	char *slash, *end;
	struct in_addr net;
	long port, len;

	if (argc != 5 || !inet_pton(AF_INET, argv[1], &f->dst.sin_addr))
		return -EINVAL;
	port = strtol(argv[2], &end, 10);
	if (*end || port < 1 || port > 65535)
		return -EINVAL;
	f->secs = strtol(argv[3], &end, 10);
	if (*end || f->secs < 1)
		return -EINVAL;
	slash = strchr(argv[4], '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	len = strtol(slash + 1, &end, 10);
	if (*end || len < 8 || len > 30 || !inet_pton(AF_INET, argv[4], &net))
		return -EINVAL;
	f->host_mask = (1u << (32 - len)) - 1;
	f->net = ntohl(net.s_addr) & ~f->host_mask;
	f->dst.sin_family = AF_INET;
	f->dst.sin_port = htons(port);
	return 0;
}

int main(int argc, char **argv)
{
	struct flood f = {};
	long sent = 0;
	uint64_t seed;
	double t0, s;
	int fd, ret;

	if (parse_args(argc, argv, &f)) {
		fprintf(stderr, "usage: syn_flood DST PORT SECS PREFIX/LEN\n");
		return 2;
	}
	seed = (uint64_t)time(NULL) * 2654435761u ^ getpid();
	f.rng = seed | 1;
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0) {
		perror("syn_flood: raw socket");
		return 2;
	}
	t0 = now_s();
	ret = flood(&f, fd, &sent);
	if (ret) {
		fprintf(stderr, "syn_flood: send: %s\n", strerror(-ret));
		return 2;
	}
	s = now_s() - t0;
	printf("{\"sent\": %ld, \"ms\": %.0f, \"per_s\": %.0f, "
	       "\"seed\": %llu}\n",
	       sent, s * 1000, sent / s, (unsigned long long)seed);
	return 0;
}
