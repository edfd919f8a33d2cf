/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The configuration file: parsed with libconfig and validated whole into a
 * typed struct before anything acts on it. Every error names FILE:LINE and
 * the reason. Parsing never exits and never touches the system, so it is
 * unit-tested without privileges.
 */
#ifndef XLB_CONFIG_H
#define XLB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "../dataplane/include/xlb_abi.h"

enum xlb_xdp_mode {
	XLB_XDP_OFF = 0,
	XLB_XDP_NATIVE,
	XLB_XDP_GENERIC,
};

/* tc directions, as bits: "ingress" = 1, "egress" = 2, "both" = 3. */
enum xlb_tc_dirs {
	XLB_TC_OFF = 0,
	XLB_TC_INGRESS = 1u << 0,
	XLB_TC_EGRESS = 1u << 1,
	XLB_TC_BOTH = XLB_TC_INGRESS | XLB_TC_EGRESS,
};

struct xlb_iface_conf {
	char name[XLB_IFNAMSIZ];
	enum xlb_xdp_mode xdp;
	unsigned int tc; /* enum xlb_tc_dirs */
	unsigned int stages; /* enum xlb_stage_flags */
	int line; /* where the interface is defined, for later errors */
};

struct xlb_config {
	char file[256];
	size_t n_ifaces;
	struct xlb_iface_conf ifaces[XLB_MAX_IFACES];
};

/* Room for "FILE:LINE: reason". */
#define XLB_CONFIG_ERRLEN 512

/*
 * Parse and validate FILE into *conf. Returns 0, or -EINVAL with
 * "FILE:LINE: reason" in err (-errno with "FILE: cause" if it cannot be
 * read). *conf is only meaningful on success.
 */
int xlb_config_load(const char *file, struct xlb_config *conf, char *err,
		    size_t errlen);

/* The same, from a string; `name` stands for the file in messages. */
int xlb_config_parse(const char *name, const char *text,
		     struct xlb_config *conf, char *err, size_t errlen);

const char *xlb_xdp_mode_str(enum xlb_xdp_mode mode);
const char *xlb_tc_dirs_str(unsigned int tc);

#endif /* XLB_CONFIG_H */
