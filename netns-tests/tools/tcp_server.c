// SPDX-License-Identifier: GPL-2.0
/*
 * A threaded HTTP/1.1 server for the netns tests that need more new
 * connections per second than the Python servers take. Every request is
 * answered with NAME, GET /blob with the bytes of FILE (--blob); a
 * connection stays open until its client closes or resets it, so the
 * client ends it and the server keeps no TIME_WAIT. With --log, the peer
 * address and port of each accepted connection go to LOG, one line
 * "ADDR PORT" each, appended (the file may be emptied meanwhile).
 *
 * Usage: tcp_server PORT NAME [--blob FILE] [--log LOG]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define REQ_MAX 4096
#define LISTEN_BACKLOG 4096
#define THREAD_STACK (256 << 10)
#define BLOB_PATH "GET /blob "

struct server {
	const char *name;
	int blob_fd; /* -1 without --blob */
	off_t blob_size;
	int log_fd; /* -1 without --log */
};

static struct server srv = { .blob_fd = -1, .log_fd = -1 };

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

static int send_blob(int fd)
{
	char head[128];
	off_t off = 0;
	int len, ret;

	len = snprintf(head, sizeof(head),
		       "HTTP/1.1 200 OK\r\nContent-Length: %lld\r\n\r\n",
		       (long long)srv.blob_size);
	ret = write_all(fd, head, len);
	while (!ret && off < srv.blob_size) {
		ssize_t n =
			sendfile(fd, srv.blob_fd, &off, srv.blob_size - off);

		if (n < 0 && errno != EINTR)
			ret = -errno;
		else if (n == 0)
			ret = -EIO;
	}
	return ret;
}

/* Answer the request at the head of req. */
static int answer(int fd, const char *req)
{
	char buf[256];
	int len;

	if (srv.blob_fd >= 0 && !strncmp(req, BLOB_PATH, strlen(BLOB_PATH)))
		return send_blob(fd);
	len = snprintf(buf, sizeof(buf),
		       "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s\n",
		       strlen(srv.name) + 1, srv.name);
	return write_all(fd, buf, len);
}

/* One connection: its requests answered in turn until the client goes. */
static void *serve(void *arg)
{
	int fd = (int)(long)arg;
	char req[REQ_MAX + 1];
	size_t have = 0;
	char *end;
	ssize_t n;

	req[0] = '\0';
	for (;;) {
		end = strstr(req, "\r\n\r\n");
		if (end) {
			if (answer(fd, req))
				break;
			end += 4;
			have -= end - req;
			memmove(req, end, have + 1);
			continue;
		}
		if (have == REQ_MAX)
			break;
		n = read(fd, req + have, REQ_MAX - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += n;
		req[have] = '\0';
	}
	close(fd);
	return NULL;
}

static void log_peer(const struct sockaddr_in *peer)
{
	char addr[INET_ADDRSTRLEN], line[INET_ADDRSTRLEN + 16];
	int len;

	if (srv.log_fd < 0)
		return;
	inet_ntop(AF_INET, &peer->sin_addr, addr, sizeof(addr));
	len = snprintf(line, sizeof(line), "%s %u\n", addr,
		       ntohs(peer->sin_port));
	if (write_all(srv.log_fd, line, len))
		perror("tcp_server: log");
}

static int listen_on(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_ANY) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, LISTEN_BACKLOG)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

static int open_blob(const char *path)
{
	struct stat st;

	srv.blob_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (srv.blob_fd < 0 || fstat(srv.blob_fd, &st))
		return -errno;
	srv.blob_size = st.st_size;
	return 0;
}

static int open_log(const char *path)
{
	srv.log_fd =
		open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	return srv.log_fd < 0 ? -errno : 0;
}

static int parse_args(int argc, char **argv, int *port)
{
	char *end;
	long p;

	if (argc < 3 || (argc - 3) % 2)
		return -EINVAL;
	p = strtol(argv[1], &end, 10);
	if (*end || p < 1 || p > 65535)
		return -EINVAL;
	*port = p;
	srv.name = argv[2];
	for (int i = 3; i < argc; i += 2) {
		int ret = 0;

		if (!strcmp(argv[i], "--blob"))
			ret = open_blob(argv[i + 1]);
		else if (!strcmp(argv[i], "--log"))
			ret = open_log(argv[i + 1]);
		else
			return -EINVAL;
		if (ret) {
			fprintf(stderr, "tcp_server: %s: %s\n", argv[i + 1],
				strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in peer;
	pthread_attr_t attr;
	socklen_t plen;
	int lfd, fd, port;
	pthread_t t;

	if (parse_args(argc, argv, &port)) {
		fprintf(stderr, "usage: tcp_server PORT NAME [--blob FILE] "
				"[--log LOG]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_on(port);
	if (lfd < 0) {
		fprintf(stderr, "tcp_server: port %d: %s\n", port,
			strerror(-lfd));
		return 2;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	for (;;) {
		plen = sizeof(peer);
		fd = accept4(lfd, (struct sockaddr *)&peer, &plen,
			     SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EINTR && errno != ECONNABORTED)
				perror("tcp_server: accept");
			continue;
		}
		log_peer(&peer);
		if (pthread_create(&t, &attr, serve, (void *)(long)fd)) {
			fprintf(stderr, "tcp_server: no thread for a "
					"connection\n");
			close(fd);
		}
	}
}
