/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fixed-key-length hash table from byte strings to 32-bit values, for
 * the daemon's exact-match indexes (a million list entries need O(1)
 * duplicate checks; the kernel's tries only answer longest-prefix).
 * Open addressing with linear probing; grows by doubling.
 */
#ifndef XLB_KEYTAB_H
#define XLB_KEYTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct keytab {
	size_t keylen;
	size_t cap; /* a power of two */
	size_t n;
	unsigned char *keys;
	__u32 *vals;
	unsigned char *used;
};

int keytab_init(struct keytab *t, size_t keylen);
void keytab_free(struct keytab *t);
/* Insert or replace; 0 or -ENOMEM. */
int keytab_put(struct keytab *t, const void *key, __u32 val);
bool keytab_get(const struct keytab *t, const void *key, __u32 *val);
/* Remove key; returns whether it was there. */
bool keytab_del(struct keytab *t, const void *key);

#endif /* XLB_KEYTAB_H */
