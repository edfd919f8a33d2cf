// SPDX-License-Identifier: GPL-2.0
/*
 * xlbctl config check|reload|dump. `check FILE` runs xlb_config_load(),
 * the loader xlbd runs, so it checks what xlbd checks before anything is
 * attached: syntax, keys, values, limits, duplicates (not whether the
 * interfaces exist, which only matters where xlbd runs). `reload` and
 * `dump` are requests to xlbd; a reload xlbd refuses comes back as
 * "FILE:LINE: reason" and changed nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "cmd_config.h"
#include "config.h"
#include "show.h"
#include "util.h"

static int config_check(bool json, int argc, char **argv)
{
	struct xlb_config *conf;
	char err[XLB_CONFIG_ERRLEN];
	json_t *o;
	int ret;

	if (argc == 0) {
		fprintf(stderr, "xlbctl: config check: missing FILE\n");
		return -EINVAL;
	}
	if (argc > 1) {
		fprintf(stderr, "xlbctl: config check: unknown argument '%s'\n",
			argv[1]);
		return -EINVAL;
	}
	conf = malloc(sizeof(*conf));
	if (!conf) {
		fprintf(stderr, "xlbctl: config check: %s\n", strerror(ENOMEM));
		return -ENOMEM;
	}
	ret = xlb_config_load(argv[0], conf, err, sizeof(err));
	if (!ret)
		xlb_config_free(conf);
	free(conf);
	if (ret == -ENOMEM) {
		fprintf(stderr, "xlbctl: %s\n", err);
		return ret;
	}
	if (ret) {
		fprintf(stderr, "xlbctl: %s\n", err);
		return -EINVAL; /* a bad or unreadable file: exit 1 */
	}
	if (!json) {
		printf("%s: ok\n", argv[0]);
		return 0;
	}
	o = json_pack("{s:s, s:b}", "file", argv[0], "ok", 1);
	ret = show_print(stdout, true, o, NULL, "config check");
	json_decref(o);
	return ret;
}

/* The text of the dump, as it came. */
static int print_dump(FILE *out, json_t *data, const char **why)
{
	const char *text = json_string_value(json_object_get(data, "config"));

	if (!text) {
		*why = "\"config\" is not a string";
		return -EPROTO;
	}
	return fputs(text, out) < 0 ? -EIO : 0;
}

static int print_reload(FILE *out, json_t *data, const char **why)
{
	const char *file = json_string_value(json_object_get(data, "file"));

	if (!file) {
		*why = "\"file\" is not a string";
		return -EPROTO;
	}
	return fprintf(out, "%s: reloaded\n", file) < 0 ? -EIO : 0;
}

struct verb {
	const char *name;
	const char *cmd; /* the request; NULL: done here */
	show_fn show;
};

static const struct verb verbs[] = {
	{ "check", NULL, NULL },
	{ "reload", "config_reload", print_reload },
	{ "dump", "config_dump", print_dump },
};

int config_run(const char *socket, bool json, int argc, char **argv)
{
	const struct verb *v = NULL;
	char what[32];
	json_t *data = NULL;
	int ret;

	if (argc == 0) {
		fprintf(stderr,
			"xlbctl: config: missing verb (check, reload, dump)\n");
		return -EINVAL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(verbs) && !v; i++)
		if (!strcmp(argv[0], verbs[i].name))
			v = &verbs[i];
	if (!v) {
		fprintf(stderr,
			"xlbctl: config: unknown verb '%s' (check, reload, "
			"dump)\n",
			argv[0]);
		return -EINVAL;
	}
	if (!v->cmd)
		return config_check(json, argc - 1, argv + 1);
	if (argc > 1) {
		fprintf(stderr, "xlbctl: config %s: unknown argument '%s'\n",
			v->name, argv[1]);
		return -EINVAL;
	}
	ret = client_request(socket, json_pack("{s:s}", "cmd", v->cmd), &data);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "config %s", v->name);
	ret = show_print(stdout, json, data, v->show, what);
	json_decref(data);
	return ret;
}
