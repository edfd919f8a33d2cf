// SPDX-License-Identifier: GPL-2.0
/*
 * Open-addressing hash table with FNV-1a hashing and backward-shift
 * deletion (no tombstones), kept at most half full.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "keytab.h"

#define KEYTAB_MIN_CAP 64

static size_t hash(const unsigned char *k, size_t len)
{
	__u64 h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++) {
		h ^= k[i];
		h *= 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 32));
}

static int alloc(struct keytab *t, size_t cap)
{
	t->keys = calloc(cap, t->keylen);
	t->vals = calloc(cap, sizeof(*t->vals));
	t->used = calloc(cap, 1);
	if (!t->keys || !t->vals || !t->used) {
		keytab_free(t);
		return -ENOMEM;
	}
	t->cap = cap;
	t->n = 0;
	return 0;
}

int keytab_init(struct keytab *t, size_t keylen)
{
	memset(t, 0, sizeof(*t));
	t->keylen = keylen;
	return alloc(t, KEYTAB_MIN_CAP);
}

void keytab_free(struct keytab *t)
{
	free(t->keys);
	free(t->vals);
	free(t->used);
	t->keys = NULL;
	t->vals = NULL;
	t->used = NULL;
	t->cap = t->n = 0;
}

/* Slot holding key, or the empty slot where it would go. */
static size_t find(const struct keytab *t, const void *key)
{
	size_t i = hash(key, t->keylen) & (t->cap - 1);

	while (t->used[i] && memcmp(t->keys + i * t->keylen, key, t->keylen))
		i = (i + 1) & (t->cap - 1);
	return i;
}

static int grow(struct keytab *t)
{
	struct keytab old = *t;
	int ret = alloc(t, old.cap * 2);

	if (ret) {
		*t = old;
		return ret;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.used[i])
			keytab_put(t, old.keys + i * old.keylen, old.vals[i]);
	keytab_free(&old);
	return 0;
}

int keytab_put(struct keytab *t, const void *key, __u32 val)
{
	size_t i;

	if ((t->n + 1) * 2 > t->cap && grow(t))
		return -ENOMEM;
	i = find(t, key);
	if (!t->used[i]) {
		t->used[i] = 1;
		memcpy(t->keys + i * t->keylen, key, t->keylen);
		t->n++;
	}
	t->vals[i] = val;
	return 0;
}

bool keytab_get(const struct keytab *t, const void *key, __u32 *val)
{
	size_t i = find(t, key);

	if (!t->used[i])
		return false;
	if (val)
		*val = t->vals[i];
	return true;
}

bool keytab_del(struct keytab *t, const void *key)
{
	size_t mask = t->cap - 1, i = find(t, key), j;

	if (!t->used[i])
		return false;
	t->used[i] = 0;
	t->n--;
	/* Shift back every entry of the cluster that probed past i. */
	for (j = (i + 1) & mask; t->used[j]; j = (j + 1) & mask) {
		size_t home = hash(t->keys + j * t->keylen, t->keylen) & mask;

		if (((j - home) & mask) < ((j - i) & mask))
			continue;
		memcpy(t->keys + i * t->keylen, t->keys + j * t->keylen,
		       t->keylen);
		t->vals[i] = t->vals[j];
		t->used[i] = 1;
		t->used[j] = 0;
		i = j;
	}
	return true;
}
