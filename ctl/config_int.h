/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to the config module (config.c, the text helpers in
 * config_text.c and the section parsers split out, config_filter.c,
 * config_lb.c and config_lbgroup.c): the parse context and the helpers
 * that report an error once as "FILE:LINE: reason". Not for other
 * modules.
 */
#ifndef XLB_CONFIG_INT_H
#define XLB_CONFIG_INT_H

#include <stddef.h>

#include <libconfig.h>

#include "config.h"

struct parse_ctx {
	const char *file; /* the name messages use */
	char *err;
	size_t errlen;
	struct xlb_config *conf;
	const char *text; /* the whole text libconfig parsed, NUL-terminated */
	size_t *line_off; /* start of each line in text, built on first use */
	size_t n_lines;
	size_t cursor; /* in text, past the last string cfg_str_line() found */
};

/* Report a problem at line of the file being parsed; returns -EINVAL. */
int __attribute__((format(printf, 3, 4)))
cfg_fail_at(struct parse_ctx *c, int line, const char *fmt, ...);

/* Report a problem with setting s, at cfg_line(); returns -EINVAL. */
int __attribute__((format(printf, 3, 4)))
cfg_fail(struct parse_ctx *c, const config_setting_t *s, const char *fmt, ...);

/* Read all of file, NUL-terminated; 0 or -errno with "FILE: cause". */
int cfg_read_file(const char *file, char **text, char *err, size_t errlen);

/*
 * libconfig 1.5 reads an integer written without the L suffix into 32
 * bits and silently wraps a larger one (4294967306 reads as 10): find
 * such literals in c->text, before any value is trusted. Names, strings
 * and comments are skipped; files pulled in with @include are not read.
 */
int cfg_check_ints(struct parse_ctx *c);

/*
 * The line setting s was written at. libconfig (1.5) dates a scalar by
 * the token read after it, which for the last element of a list can be
 * the line of the closing bracket: for a string, the line is corrected to
 * the one holding its quoted text, looked for between the previous
 * element and the line libconfig gives.
 */
int cfg_line(struct parse_ctx *c, const config_setting_t *s);
/* The same, with the lowest line s can be on given (the previous one's). */
int cfg_str_line(struct parse_ctx *c, const config_setting_t *s, int low);
/*
 * Bytes of text read so far, in this process, to place strings on their
 * lines: the tests check that this work does not grow with how the text
 * is laid out (a list on one line costs what one element a line does).
 */
size_t cfg_text_work(void);

/* An integer setting in [min, max] ("KEY: must be MIN..MAX"). */
int cfg_get_int(struct parse_ctx *c, const config_setting_t *s, long long min,
		long long max, long long *out);
/* A string setting ("KEY: expected a string"). */
int cfg_get_str(struct parse_ctx *c, const config_setting_t *s,
		const char **out);

/* Append name to the comma-separated list in buf. */
void cfg_list_add(char *buf, size_t len, const char *name);

/* The filter section (config_filter.c). */
int cfg_parse_filter(struct parse_ctx *c, const config_setting_t *s);
void cfg_filter_defaults(struct xlb_filter_conf_file *f);
void cfg_filter_free(struct xlb_filter_conf_file *f);

/* The vips section (config_lb.c). */
int cfg_parse_vips(struct parse_ctx *c, const config_setting_t *s);
void cfg_vips_free(struct xlb_config *conf);

/* The lb group and the snat lists (config_lbgroup.c). */
int cfg_parse_lb(struct parse_ctx *c, const config_setting_t *s);
void cfg_lb_defaults(struct xlb_lb_group *g);
/* snat = [ "ADDR", ... ] at top level, and in a VIP into *out. */
int cfg_parse_snat(struct parse_ctx *c, const config_setting_t *s);
int cfg_parse_snat_list(struct parse_ctx *c, const config_setting_t *s,
			struct xlb_snat_conf *out);
/* A VIP read whole: an snat list on a DSR VIP is refused. */
int cfg_check_vip_snat(struct parse_ctx *c, const struct xlb_vip_conf *v);

#endif /* XLB_CONFIG_INT_H */
