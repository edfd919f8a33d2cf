// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal-move Maglev: each backend's target share of the table comes from
 * the weights (largest remainder, ties resolved towards fewer moves); the
 * slots of removed backends and the excess of backends above target (the
 * slots they prefer least) are released; backends below target then take
 * turns, in proportion to their deficit, each taking the next released
 * slot along its own permutation. With no previous table every slot is
 * released, which is the classic weighted Maglev population. Pure: no
 * system calls besides memory allocation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maglev.h"
#include "xlb_abi.h"

_Static_assert(MAGLEV_RING_SIZE == XLB_RING_SIZE, "ring size as the ABI's");
_Static_assert(MAGLEV_EMPTY == XLB_NO_BACKEND, "empty slot as the ABI's");

#define FNV64_BASIS 0xcbf29ce484222325ull
#define FNV64_PRIME 0x100000001b3ull
/* Second hash: FNV-1a from another basis, so h1 and h2 are independent. */
#define MAGLEV_SEED2 0x9e3779b97f4a7c15ull
/* murmur3's fmix64 constants and shifts. */
#define FMIX64_C1 0xff51afd7ed558ccdull
#define FMIX64_C2 0xc4ceb9fe1a85ec53ull
#define FMIX64_SHIFT 33
/* The largest prime below 2^32. */
#define MAGLEV_MAX_PRIME 4294967291u

/* Where a backend stands in one update. */
struct mg_state {
	__u32 id;
	__u32 weight;
	__u32 offset, skip; /* its permutation */
	__u32 count; /* slots it owns in the previous table */
	__u32 target; /* slots it owns in the new table */
	__u64 rem; /* remainder of weight * m / total weight */
	__u32 tier; /* who gets a rounded-up target first (enum mg_tier) */
	__u32 deficit; /* slots it gains */
	__u32 taken; /* of which taken so far */
	__u32 cursor; /* next slot of its permutation to look at */
	__u32 inv; /* skip's inverse modulo m; 0 until needed */
};

/* Rounding a target up: first where it saves a move, then where the
 * backend gains slots anyway, last where it makes a backend gain. */
enum mg_tier {
	MG_TIER_SAVES_MOVE = 0,
	MG_TIER_GAINING,
	MG_TIER_HOLDING,
};

struct mg_ctx {
	__u32 *table;
	__u32 m;
	struct mg_state *st; /* sorted by id */
	size_t n;
	struct mg_state **order; /* rounding order, then the fill heap */
	__u64 *rel; /* release candidates: state index, reversed position */
};

static __u64 fnv1a64(const void *key, size_t len, __u64 h)
{
	const unsigned char *p = key;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= FNV64_PRIME;
	}
	return h;
}

static __u64 fmix64(__u64 h)
{
	h ^= h >> FMIX64_SHIFT;
	h *= FMIX64_C1;
	h ^= h >> FMIX64_SHIFT;
	h *= FMIX64_C2;
	h ^= h >> FMIX64_SHIFT;
	return h;
}

void maglev_permutation(const struct maglev_backend *b, __u32 m, __u32 *offset,
			__u32 *skip)
{
	__u64 h1 = fmix64(fnv1a64(b->key, b->key_len, FNV64_BASIS));
	__u64 h2 =
		fmix64(fnv1a64(b->key, b->key_len, FNV64_BASIS ^ MAGLEV_SEED2));

	if (m < 2) {
		*offset = 0;
		*skip = 1;
		return;
	}
	*offset = h1 % m;
	*skip = h2 % (m - 1) + 1;
}

bool maglev_is_prime(__u32 m)
{
	if (m < 2)
		return false;
	if (m < 4)
		return true;
	if (m % 2 == 0 || m % 3 == 0)
		return false;
	/* Every prime above 3 is 6k - 1 or 6k + 1. */
	for (__u64 d = 5; d * d <= m; d += 6)
		if (m % d == 0 || m % (d + 2) == 0)
			return false;
	return true;
}

__u32 maglev_size_for(size_t n)
{
	__u64 want = MAGLEV_MIN_SIZE;

	if (n > MAGLEV_MAX_PRIME / MAGLEV_SLOTS_PER_BACKEND)
		return 0;
	if ((__u64)n * MAGLEV_SLOTS_PER_BACKEND > want)
		want = (__u64)n * MAGLEV_SLOTS_PER_BACKEND;
	if (want > MAGLEV_MAX_PRIME)
		return 0;
	while (!maglev_is_prime(want))
		want++;
	return want;
}

size_t maglev_diff(const __u32 *a, const __u32 *b, __u32 m)
{
	size_t d = 0;

	for (__u32 s = 0; s < m; s++)
		d += a[s] != b[s];
	return d;
}

__u32 maglev_count(const __u32 *table, __u32 m, __u32 id)
{
	__u32 c = 0;

	for (__u32 s = 0; s < m; s++)
		c += table[s] == id;
	return c;
}

/* The inverse of a modulo the prime m (0 < a < m), by extended Euclid. */
static __u32 inverse_mod(__u32 a, __u32 m)
{
	__s64 r0 = m, r1 = a, t0 = 0, t1 = 1;

	while (r1) {
		__s64 q = r0 / r1, tmp;

		tmp = r0 - q * r1;
		r0 = r1;
		r1 = tmp;
		tmp = t0 - q * t1;
		t0 = t1;
		t1 = tmp;
	}
	return t0 < 0 ? t0 + m : t0;
}

static int cmp_state_id(const void *a, const void *b)
{
	const struct mg_state *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Rounding order: by tier, then larger remainder, then smaller id. */
static int cmp_round(const void *a, const void *b)
{
	const struct mg_state *x = *(struct mg_state *const *)a;
	const struct mg_state *y = *(struct mg_state *const *)b;

	if (x->tier != y->tier)
		return x->tier < y->tier ? -1 : 1;
	if (x->rem != y->rem)
		return x->rem > y->rem ? -1 : 1;
	return cmp_state_id(x, y);
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static struct mg_state *find_state(const struct mg_ctx *c, __u32 id)
{
	struct mg_state key = { .id = id };

	return bsearch(&key, c->st, c->n, sizeof(key), cmp_state_id);
}

/* Copy and sort the backends; -EINVAL on a bad id or key. */
static int init_states(struct mg_ctx *c, const struct maglev_backend *b)
{
	for (size_t i = 0; i < c->n; i++) {
		struct mg_state *s = &c->st[i];

		if (b[i].id == MAGLEV_EMPTY || (!b[i].key && b[i].key_len))
			return -EINVAL;
		s->id = b[i].id;
		s->weight = b[i].weight;
		maglev_permutation(&b[i], c->m, &s->offset, &s->skip);
		s->cursor = s->offset;
	}
	qsort(c->st, c->n, sizeof(*c->st), cmp_state_id);
	for (size_t i = 1; i < c->n; i++)
		if (c->st[i].id == c->st[i - 1].id)
			return -EINVAL;
	return 0;
}

/*
 * Count each backend's slots, noting in rel[slot] the owner's index for
 * release_excess(); slots of unknown ids become empty.
 */
static void count_slots(struct mg_ctx *c)
{
	for (__u32 slot = 0; slot < c->m; slot++) {
		struct mg_state *s;

		if (c->table[slot] == MAGLEV_EMPTY)
			continue;
		s = find_state(c, c->table[slot]);
		if (s) {
			s->count++;
			c->rel[slot] = s - c->st;
		} else {
			c->table[slot] = MAGLEV_EMPTY;
		}
	}
}

/*
 * Targets: floor(weight * m / total) each, and the slots left over to the
 * backends first in cmp_round() order among those with a remainder. So
 * each target is within one slot of the exact share and they sum to m.
 */
static void set_targets(struct mg_ctx *c)
{
	__u64 total = 0, left = c->m;
	size_t k = 0;

	for (size_t i = 0; i < c->n; i++)
		total += c->st[i].weight;
	if (!total)
		return;
	for (size_t i = 0; i < c->n; i++) {
		struct mg_state *s = &c->st[i];
		__u64 share = (__u64)s->weight * c->m;

		s->target = share / total;
		s->rem = share % total;
		left -= s->target;
		if (s->count > s->target)
			s->tier = MG_TIER_SAVES_MOVE;
		else if (s->count < s->target)
			s->tier = MG_TIER_GAINING;
		else
			s->tier = MG_TIER_HOLDING;
		if (s->rem)
			c->order[k++] = s;
	}
	qsort(c->order, k, sizeof(*c->order), cmp_round);
	for (size_t i = 0; i < k && i < left; i++)
		c->order[i]->target++;
}

/*
 * Release every slot a backend owns above its target, those it prefers
 * least (latest in its permutation) first: sort (backend, m - 1 -
 * position) pairs and keep the first excess of each backend. The pairs
 * go to rel[k], k <= slot, over owners count_slots() noted and that have
 * been read.
 */
static void release_excess(struct mg_ctx *c)
{
	size_t k = 0;

	for (__u32 slot = 0; slot < c->m; slot++) {
		struct mg_state *s;
		__u64 pos;

		if (c->table[slot] == MAGLEV_EMPTY)
			continue;
		s = &c->st[c->rel[slot]];
		if (s->count <= s->target)
			continue;
		if (!s->inv)
			s->inv = inverse_mod(s->skip, c->m);
		pos = ((__u64)slot + c->m - s->offset) % c->m * s->inv % c->m;
		c->rel[k++] = (__u64)(s - c->st) << 32 | (c->m - 1 - pos);
	}
	qsort(c->rel, k, sizeof(*c->rel), cmp_u64);
	for (size_t i = 0; i < k;) {
		struct mg_state *s = &c->st[c->rel[i] >> 32];
		__u32 excess = s->count - s->target;

		for (size_t j = 0; j < excess; j++, i++) {
			__u64 pos = c->m - 1 - (__u32)c->rel[i];
			__u32 slot = (s->offset + pos * s->skip) % c->m;

			c->table[slot] = MAGLEV_EMPTY;
		}
		i += s->count - excess;
		s->count = s->target;
	}
}

/* Does a take its next turn before b? Turn k of a falls at k / deficit. */
static bool turn_before(const struct mg_state *a, const struct mg_state *b)
{
	__u64 ta = ((__u64)a->taken + 1) * b->deficit;
	__u64 tb = ((__u64)b->taken + 1) * a->deficit;

	return ta != tb ? ta < tb : a->id < b->id;
}

static void sift_down(struct mg_state **heap, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, min = i;
		struct mg_state *tmp;

		if (l < n && turn_before(heap[l], heap[min]))
			min = l;
		if (r < n && turn_before(heap[r], heap[min]))
			min = r;
		if (min == i)
			return;
		tmp = heap[i];
		heap[i] = heap[min];
		heap[min] = tmp;
		i = min;
	}
}

/* s takes the next empty slot along its permutation. */
static void take_slot(struct mg_ctx *c, struct mg_state *s)
{
	__u32 slot = s->cursor;

	while (c->table[slot] != MAGLEV_EMPTY) {
		slot += s->skip;
		if (slot >= c->m || slot < s->skip)
			slot -= c->m;
	}
	c->table[slot] = s->id;
	s->taken++;
	s->cursor = slot + s->skip;
	if (s->cursor >= c->m || s->cursor < s->skip)
		s->cursor -= c->m;
}

/*
 * Fill the released slots: backends below target take turns, the one
 * whose next turn (taken + 1) / deficit comes first going next, so all
 * finish together and no backend's slots come in a burst.
 */
static void fill(struct mg_ctx *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++) {
		struct mg_state *s = &c->st[i];

		if (s->count < s->target) {
			s->deficit = s->target - s->count;
			c->order[n++] = s;
		}
	}
	for (size_t i = n / 2; i-- > 0;)
		sift_down(c->order, n, i);
	while (n) {
		struct mg_state *s = c->order[0];

		take_slot(c, s);
		if (s->taken == s->deficit)
			c->order[0] = c->order[--n];
		sift_down(c->order, n, 0);
	}
}

static void free_ctx(struct mg_ctx *c)
{
	free(c->st);
	free(c->order);
	free(c->rel);
}

int maglev_update(const __u32 *prev, __u32 *table, __u32 m,
		  const struct maglev_backend *b, size_t n)
{
	struct mg_ctx c = { .table = table, .m = m, .n = n };
	int err;

	if (!table || !maglev_is_prime(m) || (!b && n))
		return -EINVAL;
	c.st = calloc(n ? n : 1, sizeof(*c.st));
	c.order = malloc((n ? n : 1) * sizeof(*c.order));
	c.rel = prev ? malloc((size_t)m * sizeof(*c.rel)) : NULL;
	if (!c.st || !c.order || (prev && !c.rel)) {
		free_ctx(&c);
		return -ENOMEM;
	}
	err = init_states(&c, b);
	if (err) {
		free_ctx(&c);
		return err;
	}
	if (!prev) {
		for (__u32 slot = 0; slot < m; slot++)
			table[slot] = MAGLEV_EMPTY;
	} else if (prev != table) {
		memcpy(table, prev, (size_t)m * sizeof(*table));
	}
	if (prev)
		count_slots(&c);
	set_targets(&c);
	if (prev)
		release_excess(&c);
	fill(&c);
	free_ctx(&c);
	return 0;
}
