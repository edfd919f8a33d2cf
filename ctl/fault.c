// SPDX-License-Identifier: GPL-2.0
/*
 * Resource faults: counting, logging once per kind and place, backing
 * off and recovering (see fault.h), and the spare descriptor that lets a
 * listening socket shed a connection when the process has no other.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fault.h"
#include "log.h"
#include "util.h"

#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull
/* Enough for a request line and its headers, read and thrown away. */
#define FAULT_DRAIN_BYTES 4096

void fault_init(struct fault *f, const char *place, const char *effect,
		uint32_t min_ms, uint32_t max_ms)
{
	memset(f, 0, sizeof(*f));
	f->place = place;
	f->effect = effect;
	f->min_ms = min_ms;
	f->max_ms = max_ms;
}

bool fault_is_resource(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOMEM ||
	       err == ENOBUFS;
}

enum fault_kind fault_kind_of(int err)
{
	switch (err) {
	case EMFILE:
		return FAULT_EMFILE;
	case ENFILE:
		return FAULT_ENFILE;
	case ENOMEM:
		return FAULT_ENOMEM;
	case ENOBUFS:
		return FAULT_ENOBUFS;
	case EAGAIN:
		return FAULT_EAGAIN;
	default:
		return FAULT_OTHER;
	}
}

bool fault_hit(struct fault *f, int err, uint64_t now_ns)
{
	enum fault_kind k = fault_kind_of(err);

	f->faults++;
	f->failing = true;
	if (f->logged_ns[k] &&
	    now_ns - f->logged_ns[k] < FAULT_LOG_INTERVAL_S * NS_PER_S)
		return false;
	f->logged_ns[k] = now_ns;
	f->told = true;
	log_warn("%s: %s: %s (logged once a minute at most)", f->place,
		 strerror(err), f->effect);
	return true;
}

void fault_back_off(struct fault *f, uint64_t now_ns)
{
	if (!f->delay_ms)
		f->delay_ms = f->min_ms;
	else if (f->delay_ms < f->max_ms / 2)
		f->delay_ms *= 2;
	else
		f->delay_ms = f->max_ms;
	f->retry_ns = now_ns + f->delay_ms * NS_PER_MS;
}

bool fault_ok(struct fault *f)
{
	bool told = f->told;

	if (!f->failing)
		return false;
	f->failing = false;
	f->delay_ms = 0;
	f->retry_ns = 0;
	if (!told)
		return false;
	log_info("%s: recovered, after %" PRIu64 " faults", f->place,
		 f->faults);
	f->told = false;
	f->faults = 0;
	return true;
}

bool fault_due(const struct fault *f, uint64_t now_ns)
{
	return now_ns >= f->retry_ns;
}

int fault_timeout_ms(const struct fault *f)
{
	return f->retry_ns ? poll_timeout_ms(f->retry_ns) : -1;
}

int fault_reserve_open(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

void fault_reserve_again(int *reserve)
{
	int fd;

	if (*reserve >= 0)
		return;
	fd = fault_reserve_open();
	*reserve = fd < 0 ? -1 : fd;
}

/* Read what the peer sent already, so the close is not a reset that
 * could overtake the answer. */
static void drain(int fd)
{
	char sink[FAULT_DRAIN_BYTES];

	while (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
		;
}

int fault_shed(int lfd, int *reserve, const char *answer)
{
	int fd, err = 0;

	fault_reserve_again(reserve);
	if (*reserve < 0)
		return -EMFILE;
	close(*reserve);
	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		err = -errno;
	} else {
		drain(fd);
		send(fd, answer, strlen(answer), MSG_DONTWAIT | MSG_NOSIGNAL);
		shutdown(fd, SHUT_WR);
		close(fd);
	}
	*reserve = -1;
	fault_reserve_again(reserve);
	return err;
}

bool fault_accept_failed(struct fault *f, int err, uint64_t now_ns, int lfd,
			 int *reserve, const char *answer)
{
	int ret;

	if (err == EAGAIN || err == EINTR)
		return false;
	if (err == ECONNABORTED)
		return true;
	fault_hit(f, err, now_ns);
	if (err == EMFILE || err == ENFILE) {
		/* accept() says so before it looks at the queue */
		ret = fault_shed(lfd, reserve, answer);
		if (!ret || ret == -EAGAIN)
			return !ret;
	}
	fault_back_off(f, now_ns);
	return false;
}
