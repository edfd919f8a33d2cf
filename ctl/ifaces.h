/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interfaces: make the data plane match a configuration (attach what it
 * names, detach what it no longer names, leave alone what is already
 * right), detach everything, and describe the hooks of each interface.
 */
#ifndef XLB_IFACES_H
#define XLB_IFACES_H

#include <stddef.h>
#include <jansson.h>

#include "config.h"
#include "loader.h"

/*
 * Apply conf to the data plane. Every interface is resolved and checked
 * before anything changes; on an error the interfaces this call added are
 * rolled back. Returns 0 or -errno with "FILE:LINE: reason" in err.
 */
int ifaces_apply(struct xlb_dp *dp, const struct xlb_config *conf, char *err,
		 size_t errlen);

/* Detach xlb from every interface recorded in xlb_ifaces. */
int ifaces_detach_all(struct xlb_dp *dp);

/* JSON array describing each recorded interface and its hooks. */
json_t *ifaces_status(struct xlb_dp *dp, const char *only, char *err,
		      size_t errlen);

#endif /* XLB_IFACES_H */
