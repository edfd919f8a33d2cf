/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlbctl's load balancer commands (vip, backend, conn): parsed into the
 * daemon's JSON requests with the typed parsers of lb_parse.h, so every
 * usage error is found and worded before xlbd is asked. lb_parse() is
 * pure (words in, a request or a message out), so the unit tests drive
 * each verb and each error; only lb_run() talks to the daemon and prints.
 */
#ifndef XLB_CMD_LB_H
#define XLB_CMD_LB_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define LB_CMD_ERRLEN 256

/* What xlbctl prints when the daemon accepted a command. */
enum lb_out {
	LB_OUT_NONE = 0, /* add, set, del */
	LB_OUT_VIPS, /* vip list */
	LB_OUT_BACKENDS, /* backend list */
	LB_OUT_CONNS, /* conn list */
	LB_OUT_FLUSHED, /* conn flush */
};

struct lb_cmd {
	json_t *req;
	enum lb_out out;
	char what[24]; /* "vip add"; the object alone if no verb */
};

/*
 * object is vip, backend or conn; argv[0] its verb, then the arguments.
 * Returns 0 with cmd filled (cmd->req a new reference), -EINVAL with the
 * reason in err (without cmd->what, which the caller puts in front), or
 * -ENOMEM.
 */
int lb_parse(const char *object, int argc, char **argv, struct lb_cmd *cmd,
	     char *err, size_t errlen);

/*
 * xlbctl vip|backend|conn VERB ...: parse, ask xlbd at socket, print (JSON
 * with json). Returns 0 or -errno (-EINVAL for a usage error), every
 * error reported once.
 */
int lb_run(const char *socket, bool json, const char *object, int argc,
	   char **argv);

#endif /* XLB_CMD_LB_H */
