/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlbctl's filter commands (rule, allow, deny) and --batch files of them
 * (cmd_filter.c, cmd_batch.c): parsed into the daemon's JSON requests with
 * the typed rule API, so every usage error is found and worded before xlbd
 * is asked. The parsers are pure (words or a stream in, a request or a
 * message out), so the unit tests drive each verb and each error; only
 * filter_run() and filter_batch_run() talk to the daemon and print.
 */
#ifndef XLB_CMD_FILTER_H
#define XLB_CMD_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Room for any message below, a batch file's name and line included. */
#define FILTER_ERRLEN 1024

/* Room for an address in text form, as filter_peer() writes it. */
#define FILTER_PEER_LEN 48

/* xlbctl's global options, as the filter commands use them. */
struct filter_opts {
	const char *socket;
	bool json;
	bool force; /* --force before the object or -b */
};

/* What xlbctl prints when the daemon accepted a command. */
enum filter_out {
	FILTER_OUT_NONE = 0, /* nothing (del, allow/deny add) */
	FILTER_OUT_ID, /* rule add: the new rule's id */
	FILTER_OUT_RULES, /* rule list: the rule table */
	FILTER_OUT_ENTRIES, /* allow/deny list: the entry table */
	FILTER_OUT_REMOVED, /* rule flush: "removed N rules" */
};

struct filter_cmd {
	json_t *req; /* the request, without "force" and "peer" */
	enum filter_out out;
	bool batchable; /* rule add/del/flush, allow/deny add/del */
	bool guarded; /* allow/deny add/del: "force" and "peer" apply */
	bool force; /* --force was given */
	char what[24]; /* "rule add", "deny list"; "rule" if no verb */
};

/*
 * object is rule, allow or deny; argv[0] its verb, then the arguments.
 * Returns 0 with cmd filled (cmd->req is a new reference), -EINVAL with
 * the reason in err (without cmd->what, which the caller puts in front),
 * or -ENOMEM.
 */
int filter_parse(const char *object, int argc, char **argv,
		 struct filter_cmd *cmd, char *err, size_t errlen);

/* Add "force" and, if peer is not NULL, "peer" to a guarded request. */
int filter_guard(json_t *req, bool force, const char *peer);

/*
 * The client address of an SSH session from the value of SSH_CONNECTION
 * ("CLIENT_ADDR CLIENT_PORT SERVER_ADDR SERVER_PORT"): its first word, in
 * canonical text form, an IPv4-mapped IPv6 address as IPv4 and without a
 * zone. Returns 0, -ENOENT when value is NULL or empty, -EINVAL when the
 * first word is not an address.
 */
int filter_peer(const char *value, char *buf, size_t len);

/*
 * A batch request being built: the compact JSON text
 * {"cmd":"batch","ops":[...],"force":F,"peer":"ADDR"} and, for each op,
 * the file line it came from.
 */
struct filter_batch {
	char *text; /* not terminated; len bytes, no newline */
	size_t len, cap;
	unsigned int *lines; /* lines[K]: the file line of op K */
	size_t n_ops, lines_cap;
	bool force; /* --force, globally or on any line */
};

/*
 * Read a batch file from f to its end: one command per line without the
 * leading "xlbctl", '#' comments and blank lines ignored; only rule
 * add/del/flush and allow/deny add/del. force is the global --force, peer
 * as in filter_guard(). Returns 0 with b filled (free it with
 * filter_batch_free()), or -EINVAL ("NAME:LINE: reason", "NAME: no
 * commands"; a batch over XLB_REQUEST_MAX too), -EIO ("NAME: reason") or
 * -ENOMEM, with the message in err and b empty.
 */
int filter_batch_read(FILE *f, const char *name, bool force, const char *peer,
		      struct filter_batch *b, char *err, size_t errlen);

void filter_batch_free(struct filter_batch *b);

/* The client address of this SSH session, in buf, or NULL if none. */
const char *filter_ssh_peer(char *buf, size_t len);

/*
 * xlbctl rule|allow|deny VERB ...: parse, ask xlbd, print. Returns 0 or
 * -errno (-EINVAL for a usage error), every error reported once.
 */
int filter_run(const struct filter_opts *o, const char *object, int argc,
	       char **argv);

/* xlbctl -b FILE ('-': stdin), the same way. */
int filter_batch_run(const struct filter_opts *o, const char *path);

/* Write the message into err and return -EINVAL. */
int filter_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* XLB_CMD_FILTER_H */
