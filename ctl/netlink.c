// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink requests over one libmnl socket kept for them: links
 * (RTM_GETLINK), routes and neighbours. One request, one reply; the
 * reply's attributes are parsed with mnl_attr_parse.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "netlink.h"

/* A request's reply is waited for this long at most. */
#define NL_REPLY_TIMEOUT_S 1

static int link_xdp_attr(const struct nlattr *attr, void *data)
{
	struct nl_link *link = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_XDP_ATTACHED:
		if (!mnl_attr_validate(attr, MNL_TYPE_U8))
			link->xdp_attached = mnl_attr_get_u8(attr);
		break;
	case IFLA_XDP_PROG_ID:
		if (!mnl_attr_validate(attr, MNL_TYPE_U32))
			link->xdp_prog_id = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static int link_attr(const struct nlattr *attr, void *data)
{
	struct nl_link *link = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_IFNAME:
		if (!mnl_attr_validate(attr, MNL_TYPE_STRING))
			snprintf(link->name, sizeof(link->name), "%s",
				 mnl_attr_get_str(attr));
		break;
	case IFLA_ADDRESS:
		if (mnl_attr_get_payload_len(attr) == sizeof(link->mac)) {
			memcpy(link->mac, mnl_attr_get_payload(attr),
			       sizeof(link->mac));
			link->has_mac = true;
		}
		break;
	case IFLA_MTU:
		if (!mnl_attr_validate(attr, MNL_TYPE_U32))
			link->mtu = mnl_attr_get_u32(attr);
		break;
	case IFLA_XDP:
		if (!mnl_attr_validate(attr, MNL_TYPE_NESTED))
			mnl_attr_parse_nested(attr, link_xdp_attr, link);
		break;
	}
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_link *link = data;
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifm)))
		return MNL_CB_ERROR;
	link->ifindex = ifm->ifi_index;
	link->up = ifm->ifi_flags & IFF_UP;
	return mnl_attr_parse(nlh, sizeof(*ifm), link_attr, link);
}

int nl_link_parse(const struct nlmsghdr *nlh, struct nl_link *link)
{
	memset(link, 0, sizeof(*link));
	return link_cb(nlh, link) == MNL_CB_ERROR ? -EINVAL : 0;
}

bool nl_err_is_answer(int err)
{
	switch (-err) {
	case ENETUNREACH: /* no route */
	case EHOSTUNREACH: /* an unreachable route */
	case EACCES: /* a prohibit route */
	case EINVAL: /* a blackhole route */
	case ENETDOWN:
	case ENODEV: /* no such link */
	case ENOENT: /* no such neighbour entry */
	case EADDRNOTAVAIL:
	case ENXIO:
		return true;
	default:
		return false;
	}
}

/*
 * The socket requests go out on, opened at the first one and kept, so a
 * lookup needs no free descriptor; closed after a failure that is not
 * the kernel's answer (opened again at the next request), so that a
 * reply left behind is never read as the next request's.
 */
static struct mnl_socket *req_nl;

static int req_socket(void)
{
	struct timeval tv = { .tv_sec = NL_REPLY_TIMEOUT_S };
	int ret;

	if (req_nl)
		return 0;
	req_nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!req_nl)
		return -errno;
	if (setsockopt(mnl_socket_get_fd(req_nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
		       sizeof(tv)) ||
	    mnl_socket_bind(req_nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		mnl_socket_close(req_nl);
		req_nl = NULL;
		return ret;
	}
	return 0;
}

/*
 * Send the request nlh (its buffer of MNL_SOCKET_BUFFER_SIZE bytes is
 * reused for the reply) and run cb over the one reply. Returns 0 or
 * -errno (the kernel's answer, e.g. -ENODEV, or why it could not ask).
 */
static int nl_request(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	static unsigned int seq;
	char *buf = (char *)nlh;
	int ret;

	nlh->nlmsg_seq = seq = seq ? seq + 1 : (unsigned int)time(NULL);
	ret = req_socket();
	if (ret)
		return ret;
	if (mnl_socket_sendto(req_nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	ret = mnl_socket_recvfrom(req_nl, buf, MNL_SOCKET_BUFFER_SIZE);
	if (ret < 0) {
		ret = -errno;
		goto out;
	}
	ret = mnl_cb_run(buf, ret, seq, mnl_socket_get_portid(req_nl), cb,
			 data);
	ret = ret < 0 ? -errno : 0;
out:
	if (ret && !nl_err_is_answer(ret)) {
		mnl_socket_close(req_nl);
		req_nl = NULL;
	}
	return ret;
}

int nl_link_get(const char *name, int ifindex, struct nl_link *link)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;

	memset(link, 0, sizeof(*link));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	if (!ifindex) {
		if (!name || !*name || strlen(name) >= IFNAMSIZ)
			return -ENODEV;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	}
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	/* The kernel answers an unknown name or index with ENODEV. */
	return nl_request(nlh, link_cb, link);
}

static int addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static int route_attr(const struct nlattr *attr, void *data)
{
	struct nl_route *r = data;
	size_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case RTA_OIF:
		if (!mnl_attr_validate(attr, MNL_TYPE_U32))
			r->oif = mnl_attr_get_u32(attr);
		break;
	case RTA_GATEWAY:
		if (len == (size_t)addr_len(r->family)) {
			memcpy(r->gw, mnl_attr_get_payload(attr), len);
			r->gw_family = r->family;
		}
		break;
	case RTA_VIA:
		r->via = true; /* a gateway of the other family */
		break;
	case RTA_PREFSRC:
		if (len == (size_t)addr_len(r->family)) {
			memcpy(r->src, mnl_attr_get_payload(attr), len);
			r->has_src = true;
		}
		break;
	}
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct nl_route *r = data;

	r->type = rtm->rtm_type;
	return mnl_attr_parse(nlh, sizeof(*rtm), route_attr, r);
}

int nl_route_get(int family, const void *addr, struct nl_route *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	memset(r, 0, sizeof(*r));
	r->family = family;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = 8 * addr_len(family);
	mnl_attr_put(nlh, RTA_DST, addr_len(family), addr);
	return nl_request(nlh, route_cb, r);
}

static int neigh_attr(const struct nlattr *attr, void *data)
{
	struct nl_neigh *n = data;
	size_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case NDA_DST:
		if (len == (size_t)addr_len(n->family))
			memcpy(n->addr, mnl_attr_get_payload(attr), len);
		break;
	case NDA_LLADDR:
		if (len == sizeof(n->mac)) {
			memcpy(n->mac, mnl_attr_get_payload(attr), len);
			n->has_mac = true;
		}
		break;
	}
	return MNL_CB_OK;
}

int nl_neigh_parse(const struct nlmsghdr *nlh, struct nl_neigh *n)
{
	struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);

	memset(n, 0, sizeof(*n));
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ndm)))
		return -EINVAL;
	n->ifindex = ndm->ndm_ifindex;
	n->family = ndm->ndm_family;
	n->state = ndm->ndm_state;
	n->deleted = nlh->nlmsg_type == RTM_DELNEIGH;
	if (n->family != AF_INET && n->family != AF_INET6)
		return -EAFNOSUPPORT;
	return mnl_attr_parse(nlh, sizeof(*ndm), neigh_attr, n) < 0 ? -EINVAL :
								      0;
}

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	return nl_neigh_parse(nlh, data) ? MNL_CB_ERROR : MNL_CB_OK;
}

/* An RTM_{GET,NEW}NEIGH request for (ifindex, family, addr) in buf. */
static struct nlmsghdr *neigh_msg(char *buf, int type, int ifindex, int family,
				  const void *addr)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = family;
	ndm->ndm_ifindex = ifindex;
	mnl_attr_put(nlh, NDA_DST, addr_len(family), addr);
	return nlh;
}

int nl_neigh_get(int ifindex, int family, const void *addr, struct nl_neigh *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	memset(n, 0, sizeof(*n));
	return nl_request(neigh_msg(buf, RTM_GETNEIGH, ifindex, family, addr),
			  neigh_cb, n);
}

int nl_neigh_use(int ifindex, int family, const void *addr)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh =
		neigh_msg(buf, RTM_NEWNEIGH, ifindex, family, addr);
	struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);

	/* Created if missing (not permanent), then used: the kernel
	 * resolves it, or confirms a stale one, as for a packet. */
	nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_ACK;
	ndm->ndm_flags = NTF_USE;
	return nl_request(nlh, NULL, NULL);
}
