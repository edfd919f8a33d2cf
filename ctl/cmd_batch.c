// SPDX-License-Identifier: GPL-2.0
/*
 * xlbctl -b FILE: a file of filter commands streamed line by line through
 * the same parsers as the command line (cmd_filter.c) into one compact
 * JSON batch request, written straight into a growing buffer rather than
 * held as a tree, with each op's file line kept so that an error, ours or
 * the daemon's, names FILE:LINE. Nothing is sent unless every line is valid.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "cmd_filter.h"
#include "show.h"
#include "util.h"

/* A line: "rule add" and every keyword with its value, and more. */
#define BATCH_MAX_WORDS 32
#define BATCH_MAX_LINE 4096
/* The batch text grows from this, doubling. */
#define BATCH_CHUNK (1u << 20)
/* Room for one op, so that most ops are encoded in one go. */
#define BATCH_OP_ROOM 1024
#define BATCH_HEAD "{\"cmd\":\"batch\",\"ops\":["
/* The daemon's reply may take this many ops per second longer. */
#define BATCH_OPS_PER_S 10000

/* Make room for n more bytes of batch text. */
static int batch_reserve(struct filter_batch *b, size_t n)
{
	size_t cap = b->cap ? b->cap : BATCH_CHUNK;
	char *text;

	if (b->len + n <= b->cap)
		return 0;
	while (cap < b->len + n)
		cap *= 2;
	text = realloc(b->text, cap);
	if (!text)
		return -ENOMEM;
	b->text = text;
	b->cap = cap;
	return 0;
}

static int batch_put(struct filter_batch *b, const char *s, size_t n)
{
	int ret = batch_reserve(b, n);

	if (!ret) {
		memcpy(b->text + b->len, s, n);
		b->len += n;
	}
	return ret;
}

/* Append op as compact JSON, remembering the line it came from. */
static int batch_op(struct filter_batch *b, json_t *op, unsigned int line)
{
	unsigned int *lines;
	size_t n, cap;

	if (b->n_ops == b->lines_cap) {
		cap = b->lines_cap ? b->lines_cap * 2 : BATCH_CHUNK / 4;
		lines = reallocarray(b->lines, cap, sizeof(*lines));
		if (!lines)
			return -ENOMEM;
		b->lines = lines;
		b->lines_cap = cap;
	}
	if ((b->n_ops && batch_put(b, ",", 1)) ||
	    batch_reserve(b, BATCH_OP_ROOM))
		return -ENOMEM;
	n = json_dumpb(op, b->text + b->len, b->cap - b->len, JSON_COMPACT);
	if (n > b->cap - b->len) {
		if (batch_reserve(b, n))
			return -ENOMEM;
		n = json_dumpb(op, b->text + b->len, n, JSON_COMPACT);
	}
	if (n == 0)
		return -ENOMEM;
	b->len += n;
	b->lines[b->n_ops++] = line;
	return 0;
}

/* Split line into words in place, up to a '#'. -E2BIG if too many. */
static int split_words(char *line, char **argv, int max)
{
	static const char space[] = " \t\r\n\v\f";
	int argc = 0;
	char *s = line;

	line[strcspn(line, "#")] = '\0';
	for (;;) {
		s += strspn(s, space);
		if (!*s)
			return argc;
		if (argc == max)
			return -E2BIG;
		argv[argc++] = s;
		s += strcspn(s, space);
		if (*s)
			*s++ = '\0';
	}
}

static int batch_line(struct filter_batch *b, char *line, const char *name,
		      unsigned int lineno, char *err, size_t errlen)
{
	char *argv[BATCH_MAX_WORDS], msg[FILTER_ERRLEN];
	struct filter_cmd cmd;
	int argc, ret;

	argc = split_words(line, argv, BATCH_MAX_WORDS);
	if (argc == 0)
		return 0;
	if (argc < 0)
		return filter_errf(err, errlen, "%s:%u: more than %d words",
				   name, lineno, BATCH_MAX_WORDS);
	if (!strcmp(argv[0], "xlbctl"))
		return filter_errf(
			err, errlen,
			"%s:%u: write commands without the leading 'xlbctl'",
			name, lineno);
	ret = filter_parse(argv[0], argc - 1, argv + 1, &cmd, msg, sizeof(msg));
	if (ret == -EINVAL)
		return filter_errf(err, errlen, "%s:%u: %s", name, lineno, msg);
	if (ret)
		return ret;
	if (!cmd.batchable) {
		json_decref(cmd.req);
		return filter_errf(
			err, errlen,
			"%s:%u: '%s' cannot go in a batch (only rule add/del/flush and allow/deny add/del)",
			name, lineno, cmd.what);
	}
	b->force |= cmd.force;
	ret = batch_op(b, cmd.req, lineno);
	json_decref(cmd.req);
	if (!ret && b->len > XLB_REQUEST_MAX)
		return filter_errf(
			err, errlen,
			"%s:%u: the batch is over %u MiB; split the file", name,
			lineno, XLB_REQUEST_MAX >> 20);
	return ret;
}

/*
 * Close the ops array and the request with force and peer: encoded as the
 * object {"force":F,"peer":"P"}, whose '{' becomes the ',' after the ops.
 */
static int batch_close(struct filter_batch *b, const char *peer)
{
	json_t *tail = json_pack("{s:b}", "force", b->force);
	char *text = NULL;
	int ret = -ENOMEM;

	if (tail &&
	    (!peer || !json_object_set_new(tail, "peer", json_string(peer))))
		text = json_dumps(tail, JSON_COMPACT);
	if (text) {
		text[0] = ',';
		ret = batch_put(b, "]", 1);
		if (!ret)
			ret = batch_put(b, text, strlen(text));
	}
	free(text);
	json_decref(tail);
	return ret;
}

int filter_batch_read(FILE *f, const char *name, bool force, const char *peer,
		      struct filter_batch *b, char *err, size_t errlen)
{
	unsigned int lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int ret;

	memset(b, 0, sizeof(*b));
	b->force = force;
	ret = batch_put(b, BATCH_HEAD, strlen(BATCH_HEAD));
	while (!ret && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if ((size_t)n > BATCH_MAX_LINE)
			ret = filter_errf(err, errlen,
					  "%s:%u: line over %d bytes", name,
					  lineno, BATCH_MAX_LINE);
		else if (strlen(line) != (size_t)n)
			ret = filter_errf(err, errlen,
					  "%s:%u: not text (NUL byte)", name,
					  lineno);
		else
			ret = batch_line(b, line, name, lineno, err, errlen);
	}
	if (!ret && ferror(f)) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		ret = -EIO;
	}
	free(line);
	if (!ret && b->n_ops == 0)
		ret = filter_errf(err, errlen, "%s: no commands", name);
	if (!ret)
		ret = batch_close(b, peer);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "%s:%u: out of memory", name, lineno);
	if (ret)
		filter_batch_free(b);
	return ret;
}

void filter_batch_free(struct filter_batch *b)
{
	free(b->text);
	free(b->lines);
	memset(b, 0, sizeof(*b));
}

/* Send the batch; an op the daemon refused is reported at its line. */
static int batch_send(const struct filter_opts *o, const char *name,
		      const struct filter_batch *b)
{
	struct client_error err = { .code = XLB_EXIT_DAEMON };
	int timeout = XLB_CLIENT_TIMEOUT_S + b->n_ops / BATCH_OPS_PER_S;
	char where[FILTER_ERRLEN];
	json_t *data = NULL;
	int ret;

	ret = client_call_line(o->socket, b->text, b->len, timeout, &data,
			       &err);
	if (ret && err.index >= 0 && (size_t)err.index < b->n_ops) {
		snprintf(where, sizeof(where), "%s:%u", name,
			 b->lines[err.index]);
		return client_report(ret, &err, where);
	}
	if (ret)
		return client_report(ret, &err, NULL);
	ret = show_print(stdout, o->json, data, show_applied, "batch");
	json_decref(data);
	return ret;
}

int filter_batch_run(const struct filter_opts *o, const char *path)
{
	char err[FILTER_ERRLEN], peer[FILTER_PEER_LEN];
	const char *name = "stdin";
	struct filter_batch b;
	FILE *f = stdin;
	int ret;

	if (strcmp(path, "-") != 0) {
		name = path;
		f = fopen(path, "r");
	}
	if (!f) {
		fprintf(stderr, "xlbctl: %s: %s\n", path, strerror(errno));
		return -EINVAL;
	}
	ret = filter_batch_read(f, name, o->force,
				filter_ssh_peer(peer, sizeof(peer)), &b, err,
				sizeof(err));
	if (f != stdin)
		fclose(f);
	if (ret) {
		fprintf(stderr, "xlbctl: %s\n", err);
		return ret;
	}
	ret = batch_send(o, name, &b);
	filter_batch_free(&b);
	return ret;
}
