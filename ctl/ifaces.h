/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interfaces: make the data plane match a configuration (attach what it
 * names, detach what it no longer names, leave alone what is already
 * right), follow interfaces that go away and come back, detach
 * everything, and describe the hooks of each interface.
 */
#ifndef XLB_IFACES_H
#define XLB_IFACES_H

#include <stddef.h>
#include <jansson.h>

#include "config.h"
#include "loader.h"
#include "netlink.h"

/*
 * Apply conf to the data plane. Every interface is resolved and checked
 * before anything changes; one that is gone is an error unless xlb has a
 * record of it (it went away after it was attached): then it is kept, as
 * missing. On an error the interfaces this call added are rolled back.
 * Returns 0 or -errno with "FILE:LINE: reason" in err.
 */
int ifaces_apply(struct xlb_dp *dp, const struct xlb_config *conf, char *err,
		 size_t errlen);

/*
 * A link event (netlink's RTM_NEWLINK, or RTM_DELLINK when gone): an
 * interface of conf that is gone keeps its record and counter slot, with
 * nothing attached; one that comes back (its name, any ifindex) is
 * attached again as conf says. Returns 1 when something changed, 0 when
 * the event was none of xlb's business, or -errno (logged).
 */
int ifaces_link_event(struct xlb_dp *dp, const struct xlb_config *conf,
		      const struct nl_link *link, bool gone);

/* Detach xlb from every interface recorded in xlb_ifaces. */
int ifaces_detach_all(struct xlb_dp *dp);

/* JSON array describing each recorded interface and its hooks. */
json_t *ifaces_status(struct xlb_dp *dp, const char *only, char *err,
		      size_t errlen);

#endif /* XLB_IFACES_H */
