// SPDX-License-Identifier: GPL-2.0
/*
 * Link lookups with RTM_GETLINK over a libmnl socket. One request, one
 * reply; the reply's attributes are parsed with mnl_attr_parse.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "netlink.h"

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

	link->ifindex = ifm->ifi_index;
	link->up = ifm->ifi_flags & IFF_UP;
	return mnl_attr_parse(nlh, sizeof(*ifm), link_attr, link);
}

int nl_link_get(const char *name, int ifindex, struct nl_link *link)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	unsigned int seq, portid;
	int ret;

	memset(link, 0, sizeof(*link));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq = time(NULL);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	if (!ifindex) {
		if (!name || !*name || strlen(name) >= IFNAMSIZ)
			return -ENODEV;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	}
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret < 0) {
		ret = -errno;
		goto out;
	}
	ret = mnl_cb_run(buf, ret, seq, portid, link_cb, link);
	/* The kernel answers an unknown name or index with ENODEV. */
	ret = ret < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return ret;
}
