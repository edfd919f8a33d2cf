// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzer's own network namespace, so that nothing it does reaches the
 * host: loopback, and a veth pair xt0/xt1 with fixed MACs. xt0 holds
 * 198.18.5.254/24 and 2001:db8:5::fe/64, where the clients 1 to
 * FZ_NEIGH_CLIENTS of the client pool have permanent neighbours (so a NAT
 * reply's FIB lookup to them succeeds) and the rest of the /24 none;
 * forwarding is on, as NAT needs. xt0 is the one interface of
 * xlb_tx_ports; xt1 has no record in xlb_ifaces. The namespace goes with
 * the process.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <arpa/inet.h>

#include "gen.h"

#define CMD_LEN 512

static const __u8 xt0_mac[6] = { 0x02, 0xaa, 0, 0, 0, 0xfe };
static const __u8 xt1_mac[6] = { 0x02, 0xaa, 0, 0, 0, 0xfd };

static int run(const char *cmd)
{
	int ret = system(cmd);

	if (ret) {
		fprintf(stderr, "fuzz: %s: exit %d\n", cmd, ret);
		return -EIO;
	}
	return 0;
}

/* The permanent neighbours of the clients NAT replies are sent to. */
static int neighbours(void)
{
	char cmd[CMD_LEN], addr[INET6_ADDRSTRLEN];
	__be32 a[4];
	__u8 mac[6];
	int ret = 0;

	for (__u32 n = 0; !ret && n < FZ_NEIGH_CLIENTS; n++) {
		fz_neigh_mac(n, mac);
		for (int fam = 0; !ret && fam < XLB_FAMILY_MAX; fam++) {
			fz_addr(fam, FZ_POOL_CLIENT, n + 1, a);
			inet_ntop(fam == XLB_FAMILY_V4 ? AF_INET : AF_INET6, a,
				  addr, sizeof(addr));
			snprintf(cmd, sizeof(cmd),
				 "ip neigh add %s lladdr "
				 "%02x:%02x:%02x:%02x:%02x:%02x dev xt0 "
				 "nud permanent",
				 addr, mac[0], mac[1], mac[2], mac[3], mac[4],
				 mac[5]);
			ret = run(cmd);
		}
	}
	return ret;
}

int fz_net_setup(struct fz_net *net)
{
	static const char *const names[FZ_IF_MAX] = { "lo", "xt0", "xt1" };
	int ret;

	if (unshare(CLONE_NEWNET))
		return -errno;
	ret = run("ip link set lo up && "
		  "ip link add xt0 address 02:aa:00:00:00:fe type veth "
		  "peer name xt1 address 02:aa:00:00:00:fd && "
		  "ip link set xt0 up && ip link set xt1 up && "
		  "ip addr add 198.18.5.254/24 dev xt0 && "
		  "ip -6 addr add 2001:db8:5::fe/64 dev xt0 nodad && "
		  "sysctl -qw net.ipv4.conf.all.forwarding=1 "
		  "net.ipv6.conf.all.forwarding=1");
	if (!ret)
		ret = neighbours();
	if (ret)
		return ret;
	memset(net, 0, sizeof(*net));
	for (int i = 0; i < FZ_IF_MAX; i++) {
		net->ifindex[i] = if_nametoindex(names[i]);
		if (!net->ifindex[i])
			return -errno;
	}
	memcpy(net->mac[FZ_IF_XT0], xt0_mac, sizeof(xt0_mac));
	memcpy(net->mac[FZ_IF_XT1], xt1_mac, sizeof(xt1_mac));
	net->tx_port = net->ifindex[FZ_IF_XT0];
	return 0;
}
