// modules: maglev util
// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the Maglev module: balance to the weights, exact minimal
 * disruption on removal, addition, weight change and draining, spread,
 * determinism and order independence, the table sizes and primality, the
 * error cases, and the time one update takes at the daemon's ring size.
 */
#include <errno.h>
#include <stdint.h>
#include <math.h> /* fabs() only: no -lm */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "maglev.h"
#include "util.h"

#define MAX_BACKENDS 1000
#define KEY_LEN 6 /* IPv4 address and port, as the daemon's */
#define MAX_WEIGHT 10
#define BALANCE_TOLERANCE 0.01 /* relative, with m >= 100 x backends */
#define NS_PER_MS 1000000.0
#define TIME_BUDGET_MS 100.0
#define REMOVALS 30
#define WEIGHT_BACKENDS 100
#define WEIGHT_ROUNDS 10
#define WEIGHT_CHANGES 10 /* per round */
#define TABLE_MAX 100003 /* maglev_size_for(MAX_BACKENDS) */
#define SPREAD_PARTS 8
#define SPREAD_TOLERANCE 0.25 /* relative, per part */
#define RUN_FACTOR 3
/* Backend ids are not indexes, nor consecutive. */
#define ID_OF(i) (7 * (i) + 3)

struct bset {
	size_t n;
	struct maglev_backend b[MAX_BACKENDS];
	unsigned char key[MAX_BACKENDS][KEY_LEN];
};

/* Random but repeatable: every run sees the same backends. */
static unsigned int seed = 1;

static __u32 rnd(void)
{
	return rand_r(&seed);
}

/* Backend i: id ID_OF(i), address 198.18.(i / 256).(i % 256) port 80. */
static void set_backend(struct bset *s, size_t i, __u32 weight)
{
	unsigned char key[KEY_LEN] = { 198, 18, i >> 8, i & 0xff, 0, 80 };

	memcpy(s->key[i], key, KEY_LEN);
	s->b[i] = (struct maglev_backend){ .id = ID_OF(i),
					   .weight = weight,
					   .key = s->key[i],
					   .key_len = KEY_LEN };
}

static void reverse(struct bset *s)
{
	for (size_t i = 0, j = s->n - 1; i < j; i++, j--) {
		struct maglev_backend tmp = s->b[i];

		s->b[i] = s->b[j];
		s->b[j] = tmp;
	}
}

static struct bset set;
static const __u32 ones[MAX_BACKENDS] = { [0 ... MAX_BACKENDS - 1] = 1 };
/* The tables the tests work on, as large as the largest m used. */
static __u32 ta[TABLE_MAX], tb[TABLE_MAX], tc[TABLE_MAX], td[TABLE_MAX];

/* n backends with weights w (NULL: random in 1..MAX_WEIGHT). */
static struct bset *make_set(size_t n, const __u32 *w)
{
	set.n = n;
	for (size_t i = 0; i < n; i++)
		set_backend(&set, i, w ? w[i] : rnd() % MAX_WEIGHT + 1);
	return &set;
}

/*
 * The worst relative deviation of a backend's share from its weight's;
 * *slots gets the worst absolute one, in slots, and *least the smallest
 * exact share, in slots.
 */
static double deviation(const __u32 *t, __u32 m, const struct bset *s,
			double *slots, double *least)
{
	double total = 0, worst = 0;

	*slots = 0;
	*least = m;
	for (size_t i = 0; i < s->n; i++)
		total += s->b[i].weight;
	for (size_t i = 0; i < s->n; i++) {
		double ideal = s->b[i].weight * (double)m / total;
		double off = fabs(maglev_count(t, m, s->b[i].id) - ideal);

		if (off > *slots)
			*slots = off;
		if (ideal > 0 && off / ideal > worst)
			worst = off / ideal;
		if (ideal > 0 && ideal < *least)
			*least = ideal;
	}
	return worst;
}

/* A new m-slot table for n backends with weights w: every share within a
 * slot of the weight's, so within 1% if all are MAGLEV_SLOTS_PER_BACKEND
 * slots or more (wide: the caller says they are). */
static void check_balance(const char *what, __u32 m, size_t n, const __u32 *w,
			  bool wide)
{
	struct bset *s = make_set(n, w);
	double slots, least, dev;

	check(!maglev_update(NULL, ta, m, s->b, n), "%s: update", what);
	dev = deviation(ta, m, s, &slots, &least);
	check(!wide || least >= MAGLEV_SLOTS_PER_BACKEND,
	      "%s: the least share is %.1f slots", what, least);
	check(!wide || dev < BALANCE_TOLERANCE, "%s: worst deviation %.4f%%",
	      what, dev * 100);
	check(slots < 1, "%s: a share is %.2f slots off", what, slots);
	check(maglev_count(ta, m, MAGLEV_EMPTY) == 0, "%s: empty slots", what);
	printf("  # %s: worst deviation %.4f%% (%.2f slots, least share %.1f)\n",
	       what, dev * 100, slots, least);
}

static void test_balance(void)
{
	const __u32 m = MAGLEV_RING_SIZE, w112[] = { 1, 1, 2 };

	check_balance("weights 1,1,2", m, 3, w112, true);
	check_balance("100 backends, random weights 1..10", m, 100, NULL, true);
	check_balance("655 backends, weight 1", m, 655, ones, true);
	check_balance("1000 backends, weight 1, 100003 slots",
		      maglev_size_for(MAX_BACKENDS), MAX_BACKENDS, ones, true);
	check_balance("655 backends, random weights 1..10", m, 655, NULL,
		      false);
}

/* Every slot that differs between a and b holds id in `in` (a or b). */
static bool changes_only(const __u32 *a, const __u32 *b, __u32 m, __u32 id,
			 const __u32 *in)
{
	for (__u32 i = 0; i < m; i++)
		if (a[i] != b[i] && in[i] != id)
			return false;
	return true;
}

/* Remove backend i of s (drain: give it weight 0) from the m-slot table
 * ta into tb: all its slots move, and only those. Returns whether so. */
static bool remove_one(struct bset *s, size_t i, __u32 m, bool drain)
{
	__u32 id = s->b[i].id, had = maglev_count(ta, m, id), moved;

	if (drain)
		s->b[i].weight = 0;
	else
		s->b[i] = s->b[--s->n];
	check(!maglev_update(ta, tb, m, s->b, s->n), "m %u: update", m);
	moved = maglev_diff(ta, tb, m);
	return check(moved == had && changes_only(ta, tb, m, id, ta) &&
			     !maglev_count(tb, m, id),
		     "m %u: removing %u moved %u slots, it had %u", m, id,
		     moved, had);
}

/* Add backend nb to s, updating ta into tb: only slots to it may move.
 * Returns how many did. */
static __u32 add_one(struct bset *s, struct maglev_backend nb, __u32 m)
{
	__u32 moved, got;

	s->b[s->n++] = nb;
	check(!maglev_update(ta, tb, m, s->b, s->n), "m %u: add", m);
	moved = maglev_diff(ta, tb, m);
	got = maglev_count(tb, m, nb.id);
	check(moved == got && changes_only(ta, tb, m, nb.id, tb),
	      "m %u: adding %u moved %u slots, %u to it", m, nb.id, moved, got);
	return moved;
}

/* Remove a backend and add it back, REMOVALS times, for 100 and 400
 * backends: only its slots move. First a case where plain largest-
 * remainder rounding (docs/lb.md) would move one slot more. */
static void test_remove(void)
{
	const __u32 m = MAGLEV_RING_SIZE, sizes[] = { 100, 400 };
	const __u32 tricky[] = { 8, 8, 5, 1, 1 }, tricky_m = 101;

	make_set(ARRAY_SIZE(tricky), tricky);
	check(!maglev_update(NULL, ta, tricky_m, set.b, set.n), "build");
	remove_one(&set, ARRAY_SIZE(tricky) - 1, tricky_m, false);
	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		struct bset *s = make_set(sizes[k], NULL);

		check(!maglev_update(NULL, ta, m, s->b, s->n), "build");
		for (int round = 0; round < REMOVALS; round++) {
			size_t i = rnd() % s->n;
			struct maglev_backend gone = s->b[i];

			if (!remove_one(s, i, m, false))
				return;
			memcpy(ta, tb, m * sizeof(*ta));
			add_one(s, gone, m);
			memcpy(ta, tb, m * sizeof(*ta));
		}
	}
}

/*
 * Add backends one at a time, from 10 to 50 and from 654 to 655: only
 * slots to the new one move, and its share of them.
 */
static void test_add(void)
{
	const __u32 m = MAGLEV_RING_SIZE,
		    runs[][2] = { { 10, 50 }, { 654, 655 } };
	struct bset *s = make_set(MAX_BACKENDS, ones);
	double worst = 0;

	for (size_t r = 0; r < ARRAY_SIZE(runs); r++) {
		s->n = runs[r][0];
		check(!maglev_update(NULL, ta, m, s->b, s->n), "build");
		while (s->n < runs[r][1]) {
			double ideal = (double)m / (s->n + 1), off;
			__u32 moved = add_one(s, s->b[s->n], m);

			off = fabs(moved - ideal) / ideal;
			worst = off > worst ? off : worst;
			check(off < BALANCE_TOLERANCE, "moved %u, not %.1f",
			      moved, ideal);
			memcpy(ta, tb, m * sizeof(*ta));
		}
	}
	printf("  # adding a backend: moves off 1/N by %.4f%% at most\n",
	       worst * 100);
}

/*
 * A weight change moves the fewest slots: the moves equal the sum of the
 * backends' net losses (so no backend both loses and gains slots), and
 * the new shares are balanced.
 */
static void test_weight_change(void)
{
	const __u32 m = MAGLEV_RING_SIZE;
	struct bset *s = make_set(WEIGHT_BACKENDS, NULL);

	check(!maglev_update(NULL, ta, m, s->b, s->n), "build");
	for (int round = 0; round < WEIGHT_ROUNDS; round++) {
		size_t lost = 0;
		double slots, least, dev;

		for (int k = 0; k < WEIGHT_CHANGES; k++)
			s->b[rnd() % s->n].weight = rnd() % MAX_WEIGHT + 1;
		check(!maglev_update(ta, tb, m, s->b, s->n), "update");
		for (size_t i = 0; i < s->n; i++) {
			__u32 was = maglev_count(ta, m, s->b[i].id);
			__u32 now = maglev_count(tb, m, s->b[i].id);

			lost += was > now ? was - now : 0;
		}
		check(maglev_diff(ta, tb, m) == lost, "%zu moves, %zu lost",
		      maglev_diff(ta, tb, m), lost);
		dev = deviation(tb, m, s, &slots, &least);
		check(dev < BALANCE_TOLERANCE && slots < 1,
		      "balance after the change: %.2f slots off", slots);
		memcpy(ta, tb, m * sizeof(*ta));
	}
}

/* Updating prev into t for s must give expect. */
static void same_as(const __u32 *prev, __u32 *t, const struct bset *s,
		    const __u32 *expect, const char *what)
{
	int err = maglev_update(prev, t, MAGLEV_RING_SIZE, s->b, s->n);
	size_t d = maglev_diff(t, expect, MAGLEV_RING_SIZE);

	check(!err && !d, "%s: error %d, %zu slots differ", what, err, d);
}

/* Weight 0 drains to no slots, moving only those; all 0 empties it. */
static void test_drain(void)
{
	const __u32 m = MAGLEV_RING_SIZE;
	struct bset *s = make_set(20, NULL);

	check(!maglev_update(NULL, ta, m, s->b, s->n), "build");
	remove_one(s, 5, m, true);
	for (size_t i = 0; i < s->n; i++)
		s->b[i].weight = 0;
	check(!maglev_update(tb, tb, m, s->b, s->n), "all weights 0");
	check(maglev_count(tb, m, MAGLEV_EMPTY) == m, "all 0: not all empty");
	for (size_t i = 0; i < s->n; i++)
		s->b[i].weight = i + 1;
	check(!maglev_update(NULL, tc, m, s->b, s->n), "build");
	same_as(tb, tb, s, tc, "refill the empty table");
}

/* Same input, same table: twice, in place, in any backend order. */
static void test_deterministic(void)
{
	const __u32 m = MAGLEV_RING_SIZE;
	struct bset *s = make_set(50, NULL);

	check(!maglev_update(NULL, ta, m, s->b, s->n), "build");
	same_as(NULL, tb, s, ta, "build again");
	reverse(s);
	same_as(NULL, tc, s, ta, "build shuffled");
	s->b[0].weight++;
	s->b[1].weight = 0;
	s->b[2] = s->b[--s->n];
	check(!maglev_update(ta, tc, m, s->b, s->n), "update");
	same_as(ta, ta, s, tc, "update in place");
	reverse(s);
	same_as(tb, td, s, tc, "update shuffled");
}

/* The longest run of consecutive slots (around the end) one id owns,
 * counting only slots of ids in `only` (MAGLEV_EMPTY: any id). */
static __u32 longest_run(const __u32 *t, __u32 m, __u32 only)
{
	__u32 best = 0, run = 0;

	for (__u32 i = 0; i < 2 * m && best < m; i++) {
		__u32 cur = t[i % m], before = t[(i + m - 1) % m];

		run = cur == before ? run + 1 : 1;
		if ((only == MAGLEV_EMPTY || cur == only) && run > best)
			best = run;
	}
	return best;
}

/*
 * Not clustered: runs of one backend no longer than thrice the longest a
 * random assignment to n equal backends would give (log base n of m),
 * and the slots an added backend takes even over the table's parts.
 */
static void test_spread(void)
{
	/* The last build, of 10 backends, is then grown to 11. */
	const __u32 m = MAGLEV_RING_SIZE, sizes[] = { 4, 10 };
	struct bset *s = make_set(11, ones);
	__u32 part[SPREAD_PARTS] = { 0 }, run, id = s->b[10].id, limit = 0;
	double each = m / 11.0 / SPREAD_PARTS;

	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		check(!maglev_update(NULL, ta, m, s->b, sizes[k]), "build");
		run = longest_run(ta, m, MAGLEV_EMPTY);
		limit = 0; /* RUN_FACTOR x the least k with n^k >= m */
		for (__u64 p = 1; p < m; p *= sizes[k])
			limit += RUN_FACTOR;
		printf("  # %u equal backends: longest run %u slots\n",
		       sizes[k], run);
		check(run <= limit, "%u backends: a run of %u slots", sizes[k],
		      run);
	}
	check(!maglev_update(ta, tb, m, s->b, 11), "add the 11th");
	for (__u32 i = 0; i < m; i++)
		if (ta[i] != tb[i])
			part[(__u64)i * SPREAD_PARTS / m]++;
	for (__u32 p = 0; p < SPREAD_PARTS; p++)
		check(fabs(part[p] - each) < each * SPREAD_TOLERANCE,
		      "part %u of the table got %u of the new slots", p,
		      part[p]);
	run = longest_run(tb, m, id);
	check(run <= limit, "the added backend has a run of %u slots", run);
}

/*
 * Any prime size works, even one below the number of backends. (Equal
 * weights: with shares of a slot or two, keeping every share within a
 * slot of its weight's can move a few more slots than the removed ones.)
 */
static void test_small_primes(void)
{
	const __u32 sizes[] = { 2, 3, 7, 13, 101, 1009, 10007 };
	struct bset *s = make_set(20, ones);

	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		__u32 m = sizes[k];
		double slots, least;

		s->n = 20;
		check(!maglev_update(NULL, ta, m, s->b, s->n), "m %u: build",
		      m);
		deviation(ta, m, s, &slots, &least);
		check(slots < 1 && maglev_count(ta, m, MAGLEV_EMPTY) == 0,
		      "m %u: a share %.2f slots off", m, slots);
		remove_one(s, 3, m, false);
		set_backend(s, 3, 1);
	}
}

static void test_primes_and_sizes(void)
{
	const __u32 primes[] = { 2,	     3,	    5,	   1009,
				 10007,	     65521, 65537, MAGLEV_RING_SIZE,
				 4294967291u };
	const __u32 others[] = { 0,	      1,	   4,	       9,
				 561,	      1001,	   65535,      1026169,
				 4292739361u, 4294836225u, 4294967295u };
	const __u64 sizes[][2] = { { 0, 1009 },	     { 1, 1009 },
				   { 10, 1009 },     { 11, 1103 },
				   { 100, 10007 },   { 655, 65519 },
				   { 1000, 100003 }, { 42949672, 4294967231u },
				   { 42949673, 0 },  { SIZE_MAX, 0 } };

	for (size_t i = 0; i < ARRAY_SIZE(primes); i++)
		check(maglev_is_prime(primes[i]), "%u is prime", primes[i]);
	for (size_t i = 0; i < ARRAY_SIZE(others); i++)
		check(!maglev_is_prime(others[i]), "%u is not", others[i]);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		check(maglev_size_for(sizes[i][0]) == sizes[i][1],
		      "size for %llu: %u, not %llu", sizes[i][0],
		      maglev_size_for(sizes[i][0]), sizes[i][1]);
	check(maglev_size_for(MAGLEV_MAX_BACKENDS) <= MAGLEV_RING_SIZE &&
		      maglev_size_for(MAGLEV_MAX_BACKENDS + 1) >
			      MAGLEV_RING_SIZE,
	      "the ring holds MAGLEV_MAX_BACKENDS at 100 slots each");
}

/* Bad input: -EINVAL and the table untouched; no backends: all empty. */
static void test_errors(void)
{
	const __u32 m = 1009;
	struct bset *s = make_set(5, NULL);
	const __u32 bad_m[] = { 0, 1, 4, 1000, MAGLEV_RING_SIZE - 1 };

	check(!maglev_update(NULL, ta, m, s->b, s->n), "build");
	memcpy(tb, ta, m * sizeof(*ta));
	for (size_t i = 0; i < ARRAY_SIZE(bad_m); i++)
		check(maglev_update(NULL, tb, bad_m[i], s->b, s->n) == -EINVAL,
		      "m %u accepted", bad_m[i]);
	check(maglev_update(NULL, NULL, m, s->b, s->n) == -EINVAL, "no table");
	check(maglev_update(NULL, tb, m, NULL, 1) == -EINVAL, "NULL backends");
	s->b[4].id = s->b[1].id;
	check(maglev_update(ta, tb, m, s->b, s->n) == -EINVAL, "duplicate id");
	s->b[4].id = MAGLEV_EMPTY;
	check(maglev_update(ta, tb, m, s->b, s->n) == -EINVAL, "id EMPTY");
	set_backend(s, 4, 1);
	s->b[2].key = NULL;
	check(maglev_update(ta, tb, m, s->b, s->n) == -EINVAL, "NULL key");
	check(maglev_diff(ta, tb, m) == 0, "a failed update changed the table");
	check(!maglev_update(ta, tb, m, NULL, 0) &&
		      maglev_count(tb, m, MAGLEV_EMPTY) == m,
	      "no backends: not all empty");
}

/* Milliseconds to update prev into t for s. */
static double time_update(const __u32 *prev, __u32 *t, const struct bset *s)
{
	__u64 t0 = now_ns();

	check(!maglev_update(prev, t, MAGLEV_RING_SIZE, s->b, s->n), "update");
	return (now_ns() - t0) / NS_PER_MS;
}

/* 1,000 backends over MAGLEV_RING_SIZE slots, at -O2: well under 100 ms. */
static void test_time(void)
{
	struct bset *s = make_set(MAX_BACKENDS, NULL);
	double build, removal, change;

	build = time_update(NULL, ta, s);
	s->b[MAX_BACKENDS / 2] = s->b[--s->n];
	removal = time_update(ta, tb, s);
	for (size_t i = 0; i < s->n; i += 2)
		s->b[i].weight = rnd() % MAX_WEIGHT + 1;
	change = time_update(tb, tc, s);
	printf("  # 1000 backends, %u slots: build %.2f ms, removal %.2f ms, "
	       "half the weights changed %.2f ms (%zu moves)\n",
	       MAGLEV_RING_SIZE, build, removal, change,
	       maglev_diff(tb, tc, MAGLEV_RING_SIZE));
	check(build < TIME_BUDGET_MS && removal < TIME_BUDGET_MS &&
		      change < TIME_BUDGET_MS,
	      "too slow: %.2f, %.2f, %.2f ms", build, removal, change);
}

int main(void)
{
	harness_run("maglev: balance to the weights", test_balance);
	harness_run("maglev: removal moves only its slots", test_remove);
	harness_run("maglev: addition moves only slots to it", test_add);
	harness_run("maglev: weight changes move fewest", test_weight_change);
	harness_run("maglev: weight 0 drains", test_drain);
	harness_run("maglev: deterministic, any order", test_deterministic);
	harness_run("maglev: slots spread over the table", test_spread);
	harness_run("maglev: any prime size", test_small_primes);
	harness_run("maglev: primes and table sizes", test_primes_and_sizes);
	harness_run("maglev: errors", test_errors);
	harness_run("maglev: time for 1,000 backends", test_time);
	return harness_done();
}
