// SPDX-License-Identifier: GPL-2.0
/*
 * The config file as text, under libconfig: reading it whole, finding the
 * line a string was really written at (libconfig 1.5 can be a line late),
 * and refusing integers libconfig 1.5 would silently wrap to 32 bits. The
 * parsers see only settings; what they cannot know is looked up here.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libconfig.h>

#include "config_int.h"

static int report_errno(char *err, size_t errlen, const char *file, int errnum)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", file, strerror(errnum));
	return -errnum;
}

/* Read all of f into a NUL-terminated heap buffer; 0 or -errno. */
static int read_all(FILE *f, size_t hint, char **out)
{
	size_t len = 0, cap = hint + 4096, n;
	char *buf = NULL, *tmp;

	do {
		if (!buf || len + 1 == cap) {
			cap = buf ? 2 * cap : cap;
			tmp = realloc(buf, cap);
			if (!tmp) {
				free(buf);
				return -ENOMEM;
			}
			buf = tmp;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	if (ferror(f)) {
		free(buf);
		return -EIO;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int cfg_read_file(const char *file, char **text, char *err, size_t errlen)
{
	struct stat st;
	FILE *f;
	int ret;

	if (stat(file, &st))
		return report_errno(err, errlen, file, errno);
	if (S_ISDIR(st.st_mode))
		return report_errno(err, errlen, file, EISDIR);
	f = fopen(file, "r");
	if (!f)
		return report_errno(err, errlen, file, errno);
	ret = read_all(f, S_ISREG(st.st_mode) ? st.st_size : 0, text);
	fclose(f);
	if (ret)
		return report_errno(err, errlen, file, -ret);
	return 0;
}

/* Bytes of text read to place strings, for cfg_text_work(). */
static size_t text_work;

size_t cfg_text_work(void)
{
	return text_work;
}

/*
 * Index the start of every line of c->text, read once, and where the
 * text ends (line_off[n_lines], past its NUL); 0 or -ENOMEM.
 */
static int index_lines(struct parse_ctx *c)
{
	size_t len = strlen(c->text), n = 1;
	const char *p;

	for (p = c->text; (p = strchr(p, '\n')); p++)
		n++;
	c->line_off = malloc((n + 1) * sizeof(*c->line_off));
	if (!c->line_off)
		return -ENOMEM;
	c->line_off[0] = 0;
	for (n = 1, p = c->text; (p = strchr(p, '\n')); p++)
		c->line_off[n++] = p + 1 - c->text;
	c->n_lines = n;
	c->line_off[n] = len + 1;
	text_work += len;
	return 0;
}

/* Where in [from, to) a quoted str (of len bytes) starts, or NULL. */
static const char *find_quoted(const char *from, const char *to,
			       const char *str, size_t len)
{
	for (const char *p = from; p < to; p++, text_work++)
		if (p[0] == '"' && !strncmp(p + 1, str, len) &&
		    p[len + 1] == '"')
			return p;
	return NULL;
}

/*
 * Does line (from 1) hold str in double quotes? The line is read from
 * where the last string found ended, if that is on it, then from its
 * start: the answer is the same, and the strings of a list written on
 * one line are then found in one pass over it, not in one per string.
 */
static bool line_has(struct parse_ctx *c, int line, const char *str)
{
	const char *start = c->text + c->line_off[line - 1];
	const char *end = c->text + c->line_off[line] - 1;
	const char *from = c->text + c->cursor, *p;
	size_t len = strlen(str);

	if (from < start || from > end)
		from = start;
	p = find_quoted(from, end, str, len);
	if (!p)
		p = find_quoted(start, from, str, len);
	if (p)
		c->cursor = p + len + 2 - c->text;
	return p;
}

int cfg_str_line(struct parse_ctx *c, const config_setting_t *s, int low)
{
	int line = config_setting_source_line(s), l;
	const char *str;

	if (config_setting_type(s) != CONFIG_TYPE_STRING ||
	    config_setting_source_file(s) || !c->text)
		return line;
	if (!c->line_off && index_lines(c))
		return line;
	str = config_setting_get_string(s);
	for (l = line; l >= low && l >= 1; l--)
		if ((size_t)l <= c->n_lines && line_has(c, l, str))
			return l;
	return line;
}

int cfg_line(struct parse_ctx *c, const config_setting_t *s)
{
	const config_setting_t *up = config_setting_parent(s), *prev = NULL;
	int i = config_setting_index(s);

	if (up && i > 0)
		prev = config_setting_get_elem(up, i - 1);
	prev = prev ? prev : up;
	return cfg_str_line(c, s, prev ? config_setting_source_line(prev) : 1);
}

/* Skip a "string" from its opening quote, counting the lines it spans. */
static const char *skip_string(const char *p, int *line)
{
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
			p++;
		*line += *p == '\n';
	}
	return *p ? p + 1 : p;
}

/* Skip a # or // comment to the end of its line, or a block comment. */
static const char *skip_comment(const char *p, int *line)
{
	if (p[0] == '#' || p[1] == '/')
		return p + strcspn(p, "\n");
	for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
		*line += *p == '\n';
	return *p ? p + 2 : p;
}

/* Check the number at *pp (a digit) and move past it. */
static int check_number(struct parse_ctx *c, const char **pp, int line)
{
	const char *p = *pp, *start = p > c->text && p[-1] == '-' ? p - 1 : p;
	unsigned long long v, max = start < p ? 2147483648ull : 2147483647;
	bool hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
	char *end;

	errno = 0;
	v = strtoull(p, &end, hex ? 16 : 10);
	*pp = end;
	if (!hex && (*end == '.' || *end == 'e' || *end == 'E')) {
		*pp = end + strspn(end, ".0123456789eE+-"); /* a float */
		return 0;
	}
	if (*end == 'L') {
		*pp = end + strspn(end, "L");
		return 0;
	}
	if (errno != ERANGE && v <= max)
		return 0;
	return cfg_fail_at(c, line,
			   "integer %.*s needs the 64-bit suffix: write %.*sL",
			   (int)(end - start), start, (int)(end - start),
			   start);
}

int cfg_check_ints(struct parse_ctx *c)
{
	const char *p = c->text;
	int line = 1, err;

	while (*p) {
		if (*p == '\n') {
			line++;
			p++;
		} else if (*p == '"') {
			p = skip_string(p, &line);
		} else if (*p == '#' ||
			   (p[0] == '/' && (p[1] == '/' || p[1] == '*'))) {
			p = skip_comment(p, &line);
		} else if (isalpha((unsigned char)*p) || *p == '*') {
			p += strspn(p, "abcdefghijklmnopqrstuvwxyz"
				       "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789-_*");
		} else if (*p == '.') {
			p += strspn(p, ".0123456789eE+-");
		} else if (isdigit((unsigned char)*p)) {
			err = check_number(c, &p, line);
			if (err)
				return err;
		} else {
			p++;
		}
	}
	return 0;
}
