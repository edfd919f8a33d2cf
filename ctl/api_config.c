// SPDX-License-Identifier: GPL-2.0
/*
 * Control socket requests about the configuration: config_reload does
 * what SIGHUP does (xlbd_reload(): the file validated whole, then only
 * the difference applied) and answers with the outcome; config_dump
 * answers with the running configuration in config-file syntax
 * (config_dump.c), runtime changes included. Neither takes arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_dump.h"
#include "util.h"
#include "xlbd.h"

/* Only "cmd": anything else is refused, as in every other request. */
static int no_args(json_t *req, struct api_error *e)
{
	const char *key;
	json_t *v;

	json_object_foreach(req, key, v) {
		if (strcmp(key, "cmd")) {
			snprintf(e->msg, sizeof(e->msg), "unknown key '%s'",
				 key);
			e->code = API_USAGE;
			return -EINVAL;
		}
	}
	return 0;
}

static json_t *cmd_config_reload(void *ctx, json_t *req, struct api_error *e)
{
	struct xlbd *d = ctx;
	int ret;

	if (no_args(req, e))
		return NULL;
	ret = xlbd_reload(d, e->msg, sizeof(e->msg));
	if (ret) {
		/* A bad file, or an interface that is not there, changed
		 * nothing: the operator's to fix. */
		e->code = ret == -EINVAL || ret == -ENODEV || ret == -ENOENT ?
				  API_USAGE :
				  API_FAILED;
		return NULL;
	}
	return json_pack("{s:s}", "file", d->config_path);
}

/* The running configuration as text, or NULL with e set. */
static char *dump_text(struct xlbd *d, struct api_error *e)
{
	struct xlb_config *conf = calloc(1, sizeof(*conf));
	char *text = NULL;
	size_t len = 0;
	FILE *out = NULL;
	int ret = -ENOMEM;

	if (conf)
		ret = xlb_config_from_state(&d->conf, &d->filter, &d->lb, conf);
	if (!ret) {
		out = open_memstream(&text, &len);
		ret = out ? xlb_config_write(conf, out) : -errno;
	}
	if (out && fclose(out) && !ret)
		ret = -EIO;
	if (conf)
		xlb_config_free(conf);
	free(conf);
	if (!ret)
		return text;
	free(text);
	snprintf(e->msg, sizeof(e->msg), "config dump: %s", strerror(-ret));
	e->code = API_FAILED;
	return NULL;
}

static json_t *cmd_config_dump(void *ctx, json_t *req, struct api_error *e)
{
	char *text;
	json_t *o;

	if (no_args(req, e))
		return NULL;
	text = dump_text(ctx, e);
	if (!text)
		return NULL;
	o = json_pack("{s:s}", "config", text);
	free(text);
	if (!o) {
		snprintf(e->msg, sizeof(e->msg), "config dump: %s",
			 strerror(ENOMEM));
		e->code = API_FAILED;
	}
	return o;
}

const struct api_cmd config_cmds[] = {
	{ "config_reload", cmd_config_reload },
	{ "config_dump", cmd_config_dump },
};

const size_t config_n_cmds = ARRAY_SIZE(config_cmds);
