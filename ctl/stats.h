/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counters as JSON (the `xlbctl -j stats` contract): per interface and
 * hook, packets and bytes by verdict and by class; exceptions by reason.
 */
#ifndef XLB_STATS_H
#define XLB_STATS_H

#include <stddef.h>
#include <jansson.h>

#include "loader.h"

/* Names used in JSON (and later in metrics labels). */
extern const char *const xlb_hook_names[XLB_HOOK_MAX];
extern const char *const xlb_verdict_names[XLB_VERDICT_MAX];
extern const char *const xlb_pclass_names[XLB_PCLASS_MAX];
extern const char *const xlb_reason_names[XLB_REASON_MAX];

/* Read every counter; `only` restricts to one interface (NULL: all). */
json_t *stats_json(struct xlb_dp *dp, const char *only, char *err,
		   size_t errlen);

#endif /* XLB_STATS_H */
