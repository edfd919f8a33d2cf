// modules: cmd_filter cmd_batch rule client show show_filter util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of xlbctl's filter commands as pure parsers: the request each
 * verb builds, the exact message of each usage error (those of rule.c are
 * asked from rule.c itself), batch files read from memory with their
 * FILE:LINE errors and the exact request text, and the SSH client address
 * taken from SSH_CONNECTION.
 */
#include <errno.h>
#include <stdlib.h>

#include "cmd_filter.h"
#include "harness.h"
#include "rule.h"
#include "util.h"

#define MAX_WORDS 32

struct words {
	char *buf;
	char *argv[MAX_WORDS];
	int argc;
};

/* Split a command line on spaces (the tests use no quoting). */
static void split(const char *line, struct words *w)
{
	char *s, *save = NULL;

	w->buf = strdup(line);
	w->argc = 0;
	for (s = strtok_r(w->buf, " ", &save); s && w->argc < MAX_WORDS;
	     s = strtok_r(NULL, " ", &save))
		w->argv[w->argc++] = s;
}

/* Parse "OBJECT VERB ..." into cmd; returns filter_parse()'s result. */
static int parse(const char *line, struct filter_cmd *cmd, char *err,
		 size_t errlen)
{
	struct words w;
	int ret;

	split(line, &w);
	ret = filter_parse(w.argv[0], w.argc - 1, w.argv + 1, cmd, err, errlen);
	free(w.buf);
	return ret;
}

/* line parses into the request want (compact JSON); returns the cmd. */
static struct filter_cmd check_req(const char *line, const char *want)
{
	char err[FILTER_ERRLEN] = "";
	struct filter_cmd cmd;
	char *got;

	if (!check(parse(line, &cmd, err, sizeof(err)) == 0, "'%s': %s", line,
		   err))
		return cmd;
	got = json_dumps(cmd.req, JSON_COMPACT);
	check(strcmp(got, want) == 0, "'%s':\n  got  %s\n  want %s", line, got,
	      want);
	free(got);
	json_decref(cmd.req);
	cmd.req = NULL;
	return cmd;
}

/* line is a usage error of what with exactly the message want. */
static void check_err(const char *line, const char *what, const char *want)
{
	char err[FILTER_ERRLEN] = "";
	struct filter_cmd cmd;
	int ret = parse(line, &cmd, err, sizeof(err));

	check(ret == -EINVAL, "'%s': got %d, want -EINVAL", line, ret);
	check(cmd.req == NULL, "'%s': a request on error", line);
	check(strcmp(cmd.what, what) == 0, "'%s': what '%s', want '%s'", line,
	      cmd.what, what);
	check(strcmp(err, want) == 0, "'%s':\n  got  %s\n  want %s", line, err,
	      want);
}

static void test_rule_add(void)
{
	struct filter_cmd c;

	c = check_req("rule add order 10 drop hook ingress src 198.18.9.0/24 "
		      "proto udp dport 53",
		      "{\"cmd\":\"rule_add\",\"rule\":{\"order\":10,"
		      "\"action\":\"drop\",\"hook\":\"ingress\","
		      "\"src\":\"198.18.9.0/24\",\"proto\":\"udp\","
		      "\"dport\":53}}");
	check(c.out == FILTER_OUT_ID && c.batchable && !c.guarded,
	      "rule add flags");
	check(strcmp(c.what, "rule add") == 0, "what '%s'", c.what);
	/* Any order of keywords; hook defaults to ingress; canonical forms. */
	check_req(
		"rule add dport 22 proto 6 dst 2001:0db8::10 pass hook egress "
		"sport 1024",
		"{\"cmd\":\"rule_add\",\"rule\":{\"action\":\"pass\","
		"\"hook\":\"egress\",\"dst\":\"2001:db8::10/128\","
		"\"proto\":\"tcp\",\"sport\":1024,\"dport\":22}}");
	check_req("rule add drop",
		  "{\"cmd\":\"rule_add\",\"rule\":{\"action\":\"drop\","
		  "\"hook\":\"ingress\"}}");
	check_req("rule add order 0 pass src 2001:db8::/32 dst 2001:db8:1::/48 "
		  "proto icmpv6",
		  "{\"cmd\":\"rule_add\",\"rule\":{\"order\":0,"
		  "\"action\":\"pass\",\"hook\":\"ingress\","
		  "\"src\":\"2001:db8::/32\",\"dst\":\"2001:db8:1::/48\","
		  "\"proto\":\"icmpv6\"}}");
	check_req(
		"rule add order 4294967294 drop proto 47",
		"{\"cmd\":\"rule_add\",\"rule\":{\"order\":4294967294,"
		"\"action\":\"drop\",\"hook\":\"ingress\",\"proto\":\"47\"}}");
}

static void test_other_verbs(void)
{
	struct filter_cmd c;

	c = check_req("rule del 7", "{\"cmd\":\"rule_del\",\"id\":7}");
	check(c.out == FILTER_OUT_NONE && c.batchable, "rule del flags");
	check_req("rule del 4294967295",
		  "{\"cmd\":\"rule_del\",\"id\":4294967295}");
	c = check_req("rule list", "{\"cmd\":\"rule_list\"}");
	check(c.out == FILTER_OUT_RULES && !c.batchable, "rule list flags");
	c = check_req("rule flush", "{\"cmd\":\"rule_flush\"}");
	check(c.out == FILTER_OUT_REMOVED && c.batchable, "rule flush flags");
	c = check_req("allow add 198.18.0.0/15",
		      "{\"cmd\":\"list_add\",\"list\":\"allow\","
		      "\"hook\":\"ingress\",\"prefix\":\"198.18.0.0/15\"}");
	check(c.out == FILTER_OUT_NONE && c.batchable && c.guarded && !c.force,
	      "allow add flags");
	c = check_req("deny add egress 2001:db8::/32 --force",
		      "{\"cmd\":\"list_add\",\"list\":\"deny\","
		      "\"hook\":\"egress\",\"prefix\":\"2001:db8::/32\"}");
	check(c.guarded && c.force, "deny add --force flags");
	c = check_req("deny del --force 198.18.66.7 ingress",
		      "{\"cmd\":\"list_del\",\"list\":\"deny\","
		      "\"hook\":\"ingress\",\"prefix\":\"198.18.66.7/32\"}");
	check(c.guarded && c.force && strcmp(c.what, "deny del") == 0,
	      "deny del flags");
	c = check_req("allow list",
		      "{\"cmd\":\"list_list\",\"list\":\"allow\"}");
	check(c.out == FILTER_OUT_ENTRIES && !c.batchable && !c.guarded,
	      "allow list flags");
	check_req("deny list", "{\"cmd\":\"list_list\",\"list\":\"deny\"}");
}

static void test_usage_errors(void)
{
	check_err("rule", "rule", "missing verb (add, del, list, flush)");
	check_err("rule frob", "rule",
		  "unknown verb 'frob' (add, del, list, flush)");
	check_err("rule ad drop", "rule",
		  "unknown verb 'ad' (add, del, list, flush)");
	check_err("allow", "allow", "missing verb (add, del, list)");
	check_err("deny flush", "deny",
		  "unknown verb 'flush' (add, del, list)");
	check_err("vip add", "", "unknown object 'vip'");
	check_err("rule add", "rule add", "missing action: drop or pass");
	check_err("rule add src 198.18.0.0/15", "rule add",
		  "missing action: drop or pass");
	check_err("rule add drop pass", "rule add",
		  "only one of 'drop' and 'pass'");
	check_err("rule add drop drop", "rule add", "'drop' given twice");
	check_err("rule add drop order", "rule add", "'order' needs a value");
	check_err("rule add order 1 drop order 2", "rule add",
		  "'order' given twice");
	check_err("rule add drop src 198.18.0.0/15 src 198.18.0.0/16",
		  "rule add", "'src' given twice");
	check_err(
		"rule add order 4294967295 drop", "rule add",
		"order '4294967295' is not a whole number from 0 to 4294967294");
	check_err("rule add order -1 drop", "rule add",
		  "order '-1' is not a whole number from 0 to 4294967294");
	check_err("rule add order 1x drop", "rule add",
		  "order '1x' is not a whole number from 0 to 4294967294");
	check_err("rule add drop frob", "rule add", "unknown argument 'frob'");
	check_err("rule add drop --force", "rule add",
		  "unknown argument '--force'");
	check_err("rule add Drop", "rule add", "unknown argument 'Drop'");
	check_err("rule add drop prot tcp", "rule add",
		  "unknown argument 'prot'");
	check_err("rule del", "rule del", "missing rule id");
	check_err("rule del 7 8", "rule del", "unknown argument '8'");
	check_err("rule del 0", "rule del",
		  "rule id '0' is not a whole number from 1 to 4294967295");
	check_err("rule del x", "rule del",
		  "rule id 'x' is not a whole number from 1 to 4294967295");
	check_err("rule list all", "rule list", "unknown argument 'all'");
	check_err("rule flush now", "rule flush", "unknown argument 'now'");
	check_err("allow add", "allow add", "missing prefix");
	check_err("allow add egress --force", "allow add", "missing prefix");
	check_err("allow add ingress egress 198.18.0.0/15", "allow add",
		  "only one of 'ingress' and 'egress'");
	check_err("deny del egress egress 198.18.0.0/15", "deny del",
		  "'egress' given twice");
	check_err("allow add 198.18.0.0/15 198.19.0.0/16", "allow add",
		  "unknown argument '198.19.0.0/16'");
	check_err("allow add 198.18.0.0/15 --force --force", "allow add",
		  "'--force' given twice");
	check_err("allow add -f 198.18.0.0/15", "allow add",
		  "unknown argument '-f'");
	check_err("deny list egress", "deny list", "unknown argument 'egress'");
}

/* Errors worded by rule.c come through unchanged. */
static void test_rule_c_errors(void)
{
	struct xlb_rule r = { .fields = XLB_FIELD_DPORT, .dport = 53 };
	char want[XLB_RULE_ERRLEN];
	struct xlb_prefix p;
	enum xlb_dir dir;
	__u16 port;
	__u8 proto;

	xlb_parse_prefix("198.18.9.1/24", &p, want, sizeof(want));
	check_err("rule add drop src 198.18.9.1/24", "rule add", want);
	check_err("deny add 198.18.9.1/24", "deny add", want);
	xlb_parse_prefix("frob", &p, want, sizeof(want));
	check_err("allow del frob", "allow del", want);
	xlb_parse_proto("sctpx", &proto, want, sizeof(want));
	check_err("rule add drop proto sctpx", "rule add", want);
	xlb_parse_port("0", &port, want, sizeof(want));
	check_err("rule add drop proto tcp dport 0", "rule add", want);
	xlb_parse_port("65536", &port, want, sizeof(want));
	check_err("rule add drop proto udp sport 65536", "rule add", want);
	xlb_parse_dir("sideways", &dir, want, sizeof(want));
	check_err("rule add drop hook sideways", "rule add", want);
	check(xlb_rule_check(&r, want, sizeof(want)) < 0, "ports alone");
	check_err("rule add drop dport 53", "rule add", want);
	r.fields = XLB_FIELD_SRC | XLB_FIELD_DST;
	xlb_parse_prefix("198.18.0.0/15", &r.src, want, sizeof(want));
	xlb_parse_prefix("2001:db8::/32", &r.dst, want, sizeof(want));
	check(xlb_rule_check(&r, want, sizeof(want)) < 0, "mixed families");
	check_err("rule add drop src 198.18.0.0/15 dst 2001:db8::/32",
		  "rule add", want);
}

static void test_guard(void)
{
	struct filter_cmd c;
	char err[FILTER_ERRLEN], *got;

	check(parse("allow add 198.18.0.0/15", &c, err, sizeof(err)) == 0,
	      "parse");
	check(filter_guard(c.req, false, "198.18.0.2") == 0, "guard");
	got = json_dumps(c.req, JSON_COMPACT);
	check(strcmp(got, "{\"cmd\":\"list_add\",\"list\":\"allow\","
			  "\"hook\":\"ingress\",\"prefix\":\"198.18.0.0/15\","
			  "\"force\":false,\"peer\":\"198.18.0.2\"}") == 0,
	      "got %s", got);
	free(got);
	json_decref(c.req);
	check(parse("deny del 198.18.0.0/15", &c, err, sizeof(err)) == 0,
	      "parse");
	check(filter_guard(c.req, true, NULL) == 0, "guard");
	got = json_dumps(c.req, JSON_COMPACT);
	check(strcmp(got, "{\"cmd\":\"list_del\",\"list\":\"deny\","
			  "\"hook\":\"ingress\",\"prefix\":\"198.18.0.0/15\","
			  "\"force\":true}") == 0,
	      "got %s", got);
	free(got);
	json_decref(c.req);
}

static void check_peer(const char *value, int want_ret, const char *want)
{
	char buf[FILTER_PEER_LEN] = "";
	int ret = filter_peer(value, buf, sizeof(buf));

	check(ret == want_ret, "'%s': got %d, want %d", value, ret, want_ret);
	if (!ret && want)
		check(strcmp(buf, want) == 0, "'%s': got '%s', want '%s'",
		      value, buf, want);
}

static void test_peer(void)
{
	char tiny[8];

	check_peer(NULL, -ENOENT, NULL);
	check_peer("", -ENOENT, NULL);
	check_peer("  ", -ENOENT, NULL);
	check_peer("198.18.0.2 50022 198.18.0.1 22", 0, "198.18.0.2");
	check_peer("198.18.0.2", 0, "198.18.0.2");
	check_peer("2001:0db8:0::2 50022 2001:db8::1 22", 0, "2001:db8::2");
	check_peer("::ffff:198.18.0.2 50022 ::ffff:198.18.0.1 22", 0,
		   "198.18.0.2");
	check_peer("fe80::1%eth0 50022 fe80::2%eth0 22", 0, "fe80::1");
	check_peer("host.example 50022 198.18.0.1 22", -EINVAL, NULL);
	check_peer("198.18.0.256 50022 198.18.0.1 22", -EINVAL, NULL);
	check_peer("198.18.0.0/24 1 2 3", -EINVAL, NULL);
	check(filter_peer("2001:db8::1234:5678 1 2 3", tiny, sizeof(tiny)) ==
		      -ENOSPC,
	      "short buffer");
}

/* Read text as a batch file named "f". */
static int read_batch(const char *text, bool force, const char *peer,
		      struct filter_batch *b, char *err, size_t errlen)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	ret = filter_batch_read(f, "f", force, peer, b, err, errlen);
	fclose(f);
	return ret;
}

static void check_batch_err(const char *text, const char *want)
{
	char err[FILTER_ERRLEN] = "";
	struct filter_batch b;
	int ret = read_batch(text, false, NULL, &b, err, sizeof(err));

	check(ret == -EINVAL, "'%s': got %d", text, ret);
	check(strcmp(err, want) == 0, "'%s':\n  got  %s\n  want %s", text, err,
	      want);
	check(b.text == NULL && b.n_ops == 0, "'%s': batch kept", text);
}

static const char batch_file[] =
	"# filter changes\n"
	"\n"
	"rule add order 10 drop src 198.18.9.0/24 proto udp dport 53\n"
	"   allow add 198.18.0.0/15   # the lab\n"
	"deny add\tegress 2001:db8::/32\r\n"
	"rule del 7\n"
	"rule flush";

static void test_batch(void)
{
	static const char want[] =
		"{\"cmd\":\"batch\",\"ops\":["
		"{\"cmd\":\"rule_add\",\"rule\":{\"order\":10,"
		"\"action\":\"drop\",\"hook\":\"ingress\","
		"\"src\":\"198.18.9.0/24\",\"proto\":\"udp\",\"dport\":53}},"
		"{\"cmd\":\"list_add\",\"list\":\"allow\",\"hook\":\"ingress\","
		"\"prefix\":\"198.18.0.0/15\"},"
		"{\"cmd\":\"list_add\",\"list\":\"deny\",\"hook\":\"egress\","
		"\"prefix\":\"2001:db8::/32\"},"
		"{\"cmd\":\"rule_del\",\"id\":7},{\"cmd\":\"rule_flush\"}],"
		"\"force\":false,\"peer\":\"198.18.0.2\"}";
	static const unsigned int lines[] = { 3, 4, 5, 6, 7 };
	char err[FILTER_ERRLEN] = "";
	struct filter_batch b;
	json_error_t jerr;
	json_t *parsed;
	size_t i;

	if (!check(read_batch(batch_file, false, "198.18.0.2", &b, err,
			      sizeof(err)) == 0,
		   "read: %s", err))
		return;
	check(b.len == strlen(want) && !memcmp(b.text, want, b.len),
	      "got  %.*s\nwant %s", (int)b.len, b.text, want);
	check(b.n_ops == ARRAY_SIZE(lines), "%zu ops", b.n_ops);
	for (i = 0; i < b.n_ops && i < ARRAY_SIZE(lines); i++)
		check(b.lines[i] == lines[i], "op %zu on line %u, want %u", i,
		      b.lines[i], lines[i]);
	parsed = json_loadb(b.text, b.len, JSON_REJECT_DUPLICATES, &jerr);
	check(parsed != NULL, "not JSON: %s", jerr.text);
	json_decref(parsed);
	filter_batch_free(&b);
}

static void test_batch_force(void)
{
	static const char tail_force[] = "],\"force\":true}";
	char err[FILTER_ERRLEN] = "";
	struct filter_batch b;

	/* --force on one line forces the whole batch. */
	check(read_batch("allow add 198.18.0.0/15\ndeny del 198.18.1.0/24 "
			 "--force\n",
			 false, NULL, &b, err, sizeof(err)) == 0,
	      "read: %s", err);
	check(b.force && b.len > strlen(tail_force) &&
		      !memcmp(b.text + b.len - strlen(tail_force), tail_force,
			      strlen(tail_force)),
	      "got %.*s", (int)b.len, b.text);
	filter_batch_free(&b);
	/* And so does the global one. */
	check(read_batch("rule flush\n", true, NULL, &b, err, sizeof(err)) == 0,
	      "read: %s", err);
	check(b.force, "global --force");
	filter_batch_free(&b);
}

static void test_batch_errors(void)
{
	char line[5000];

	check_batch_err("", "f: no commands");
	check_batch_err("# only\n\n   \n", "f: no commands");
	check_batch_err("rule add drop\nrule list\n",
			"f:2: 'rule list' cannot go in a batch (only rule "
			"add/del/flush and allow/deny add/del)");
	check_batch_err("allow list\n",
			"f:1: 'allow list' cannot go in a batch (only rule "
			"add/del/flush and allow/deny add/del)");
	check_batch_err("\n\nrule add drop pass\n",
			"f:3: only one of 'drop' and 'pass'");
	check_batch_err("rule add drop\nxlbctl rule flush\n",
			"f:2: write commands without the leading 'xlbctl'");
	check_batch_err("stats\n", "f:1: unknown object 'stats'");
	check_batch_err("rule\n", "f:1: missing verb (add, del, list, flush)");
	check_batch_err("allow add\n", "f:1: missing prefix");
	check_batch_err("rule add drop # pass\nrule del 0\n",
			"f:2: rule id '0' is not a whole number from 1 to "
			"4294967295");
	check_batch_err("rule add drop src 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 "
			"16 17 18 19 20 21 22 23 24 25 26 27 28 29 30\n",
			"f:1: more than 32 words");
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	check_batch_err(line, "f:1: line over 4096 bytes");
}

static void test_batch_nul(void)
{
	static const char text[] = "rule flush\nrule\0 flush\n";
	char err[FILTER_ERRLEN] = "";
	struct filter_batch b;
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	int ret = filter_batch_read(f, "f", false, NULL, &b, err, sizeof(err));

	fclose(f);
	check(ret == -EINVAL, "got %d", ret);
	check(strcmp(err, "f:2: not text (NUL byte)") == 0, "got %s", err);
}

/* A large batch is built as text; its size per op stays small. */
static void test_batch_large(void)
{
	const size_t n = 100000;
	char err[FILTER_ERRLEN] = "";
	struct filter_batch b;
	size_t i, len = 0;
	char *text = malloc(n * 40);
	int ret;

	for (i = 0; i < n; i++)
		len += sprintf(text + len, "allow add ingress 10.%zu.%zu.%zu\n",
			       i >> 16, (i >> 8) & 255, i & 255);
	ret = read_batch(text, false, NULL, &b, err, sizeof(err));
	check(ret == 0, "read: %s", err);
	check(b.n_ops == n, "%zu ops", b.n_ops);
	check(b.len < n * 90, "%zu bytes", b.len);
	check(n > 0 && b.lines[n - 1] == n, "last line %u", b.lines[n - 1]);
	filter_batch_free(&b);
	free(text);
}

int main(void)
{
	harness_run("rule_add", test_rule_add);
	harness_run("other_verbs", test_other_verbs);
	harness_run("usage_errors", test_usage_errors);
	harness_run("rule_c_errors", test_rule_c_errors);
	harness_run("guard", test_guard);
	harness_run("peer", test_peer);
	harness_run("batch", test_batch);
	harness_run("batch_force", test_batch_force);
	harness_run("batch_errors", test_batch_errors);
	harness_run("batch_nul", test_batch_nul);
	harness_run("batch_large", test_batch_large);
	return harness_done();
}
