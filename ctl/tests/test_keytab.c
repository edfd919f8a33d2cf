// modules: keytab
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the daemon's exact-match hash table: insert, replace,
 * lookup, delete with backward shifting (every other key stays
 * reachable), and growth past many doublings, checked against a plain
 * array as the model.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "keytab.h"

struct key {
	__u32 a, b, c;
};

static struct key key_of(__u32 i)
{
	return (struct key){ i * 2654435761u, i, ~i };
}

static void test_put_get_replace(void)
{
	struct keytab t;
	struct key k = key_of(7);
	__u32 v = 0;

	check(!keytab_init(&t, sizeof(k)), "init");
	check(!keytab_get(&t, &k, &v), "empty table has no key");
	check(!keytab_put(&t, &k, 1), "put");
	check(keytab_get(&t, &k, &v) && v == 1, "get after put");
	check(!keytab_put(&t, &k, 2) && t.n == 1, "replace keeps one entry");
	check(keytab_get(&t, &k, &v) && v == 2, "replaced value");
	check(keytab_del(&t, &k) && !keytab_get(&t, &k, NULL), "delete");
	check(!keytab_del(&t, &k), "second delete finds nothing");
	keytab_free(&t);
}

/* 100,000 keys in, every third out, all others still found. */
static void test_many(void)
{
	const __u32 n = 100000;
	struct keytab t;
	bool ok = true;
	__u32 v;

	check(!keytab_init(&t, sizeof(struct key)), "init");
	for (__u32 i = 0; i < n; i++) {
		struct key k = key_of(i);

		ok &= !keytab_put(&t, &k, i);
	}
	check(ok && t.n == n, "inserted %zu of %u", t.n, n);
	for (__u32 i = 0; i < n; i += 3) {
		struct key k = key_of(i);

		ok &= keytab_del(&t, &k);
	}
	check(ok, "deleted every third");
	for (__u32 i = 0; i < n; i++) {
		struct key k = key_of(i);
		bool found = keytab_get(&t, &k, &v);

		if (i % 3 == 0 ? found : !found || v != i) {
			check(0, "key %u: found %d value %u", i, found, v);
			break;
		}
	}
	check(t.n == n - (n + 2) / 3, "count after deletes: %zu", t.n);
	keytab_free(&t);
}

int main(void)
{
	harness_run("keytab: put, get, replace, delete", test_put_get_replace);
	harness_run("keytab: 100,000 keys with deletions", test_many);
	return harness_done();
}
