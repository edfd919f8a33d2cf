/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlbctl's config commands: `config check FILE` validates FILE locally
 * with the daemon's own loader (config.c), no daemon needed; `config
 * reload` and `config dump` ask xlbd (config_reload, config_dump).
 */
#ifndef XLB_CMD_CONFIG_H
#define XLB_CMD_CONFIG_H

#include <stdbool.h>

/*
 * xlbctl config VERB ...: argv[0] is the verb. Returns 0 or -errno
 * (-EINVAL for a usage error or an invalid file), every error reported
 * once on stderr.
 */
int config_run(const char *socket, bool json, int argc, char **argv);

#endif /* XLB_CMD_CONFIG_H */
