// SPDX-License-Identifier: GPL-2.0
/*
 * Mutations of a built frame: a few bytes of its headers flipped, the
 * frame cut short or padded, the IP length field (tot_len, payload_len),
 * the IPv4 IHL or version, or the TCP data offset set to other values.
 * The IP header is found past up to three VLAN tags; a frame whose
 * ethertype is not IP gets its bytes flipped instead.
 */
#include <linux/if_ether.h>

#include "fz_csum.h"
#include "gen.h"

#define HEADER_BYTES 96
#define MAX_FLIPS 4
#define MAX_PAD 64
#define VLAN_LEN 4
#define VLAN_MAX 3
#define IPV4_LEN_OFF 2
#define IPV6_LEN_OFF 4
#define IPV4_MIN_LEN 20
#define TCP_DOFF_OFF 12

enum mutation {
	M_FLIP = 0,
	M_CUT,
	M_PAD,
	M_LENGTH,
	M_VERSION,
	M_DOFF,
	M_MAX,
};

/* The offset of the IP header and its ethertype, or 0. */
static size_t ip_at(const struct fz_frame *fr, __u16 *type)
{
	size_t off = ETH_HLEN;

	*type = fz_get16(fr->data + ETH_HLEN - 2);
	for (int i = 0;
	     i < VLAN_MAX && (*type == ETH_P_8021Q || *type == ETH_P_8021AD);
	     i++) {
		if (off + VLAN_LEN > fr->len)
			return 0;
		*type = fz_get16(fr->data + off + 2);
		off += VLAN_LEN;
	}
	if ((*type != ETH_P_IP && *type != ETH_P_IPV6) ||
	    off + IPV4_MIN_LEN > fr->len)
		return 0;
	return off;
}

static void flip(struct fz_frame *fr, struct fz_rng *r)
{
	__u32 span = fr->len < HEADER_BYTES ? fr->len : HEADER_BYTES;
	__u32 n = 1 + fz_below(r, MAX_FLIPS);

	for (__u32 i = 0; i < n; i++)
		fr->data[fz_below(r, span)] ^= (__u8)(1 + fz_below(r, 255));
}

/* A length near the right one, or any. */
static __u16 other_len(struct fz_rng *r, __u16 len)
{
	if (fz_one_in(r, 3))
		return (__u16)fz_next(r);
	return (__u16)(len + fz_below(r, 17) - 8);
}

static void break_ip(struct fz_frame *fr, struct fz_rng *r, int how)
{
	__u16 type;
	size_t ip = ip_at(fr, &type);
	__u8 *h = fr->data + ip;
	bool v4 = type == ETH_P_IP;

	if (!ip) {
		flip(fr, r);
		return;
	}
	if (how == M_LENGTH) {
		size_t off = v4 ? IPV4_LEN_OFF : IPV6_LEN_OFF;

		fz_put16(h + off, other_len(r, fz_get16(h + off)));
	} else if (how == M_VERSION) {
		h[0] = v4 && fz_one_in(r, 2) ?
			       (__u8)((h[0] & 0xf0) | fz_below(r, 16)) :
			       (__u8)((h[0] & 0x0f) | fz_below(r, 16) << 4);
	} else if (v4 && ip + (h[0] & 0xf) * 4 + TCP_DOFF_OFF < fr->len) {
		fr->data[ip + (h[0] & 0xf) * 4 + TCP_DOFF_OFF] =
			(__u8)(fz_below(r, 16) << 4);
	}
}

void fz_mutate(struct fz_frame *fr, struct fz_rng *r)
{
	int how = (int)fz_below(r, M_MAX);
	__u32 pad;

	fr->mutated = true;
	switch (how) {
	case M_FLIP:
		flip(fr, r);
		break;
	case M_CUT:
		if (fr->len > FZ_FRAME_MIN)
			fr->len = FZ_FRAME_MIN +
				  fz_below(r, fr->len - FZ_FRAME_MIN);
		break;
	case M_PAD:
		pad = 1 + fz_below(r, MAX_PAD);
		if (fr->len + pad > FZ_FRAME_MAX)
			pad = FZ_FRAME_MAX - fr->len;
		for (__u32 i = 0; i < pad; i++)
			fr->data[fr->len + i] = (__u8)fz_next(r);
		fr->len += pad;
		break;
	default:
		break_ip(fr, r, how);
		break;
	}
}
