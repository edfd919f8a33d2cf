/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlbd's transaction record, xlb_txn: a one-entry array of xlbd's own
 * pinned beside the data plane's maps (bpffs holds no regular files).
 * It says whether the running state is what a start, a reload or a batch
 * committed, or a start or reload applying the file was cut short, and
 * whether a batch is under way, whose journal (xlb_txn_journal, an array
 * made for the batch) stays pinned until the batch ends. Each of them
 * flips the record once at its end; one map update is whole or not at
 * all, even when xlbd is killed during it.
 */
#ifndef XLB_TXN_H
#define XLB_TXN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

enum txn_state {
	TXN_NONE, /* never written: no start committed yet */
	TXN_COMMITTED, /* the state a start, reload or batch committed */
	TXN_START, /* a start applying the file has not finished */
	TXN_RELOAD, /* a reload applying the file has not finished */
};

/* xlb_txn's value. */
struct txn_record {
	__u32 state; /* enum txn_state */
	__u32 batch; /* 1: a batch is under way, its journal pinned */
	__u64 gen; /* commits so far: the generation in force */
};

_Static_assert(sizeof(struct txn_record) == 16, "txn_record size");

/* The bytes of a journal entry; one whose first 4 are zero is unused. */
#define TXN_OP_SIZE 64

struct txn {
	int fd; /* xlb_txn */
	int journal; /* xlb_txn_journal while a batch is under way, or -1 */
	char pin_dir[PATH_MAX];
	struct txn_record rec; /* as xlb_txn holds it */
	bool found; /* the record was pinned before this daemon opened it */
	__u32 logged, room; /* the journal's entries so far, and its size */
};

/*
 * Open the record in pin_dir (made and pinned, TXN_NONE, if there is
 * none), with the journal of a batch it says is under way; a journal
 * left by a batch that had ended, or not begun, is removed. Returns 0 or
 * -errno with err set.
 */
int txn_open(struct txn *t, const char *pin_dir, char *err, size_t errlen);
void txn_close(struct txn *t);

const char *txn_state_str(enum txn_state s);

/* A start or a reload (what) begins to apply the file: not committed
 * until txn_commit(). */
int txn_begin(struct txn *t, enum txn_state what);
/* The state is committed: one more generation. */
int txn_commit(struct txn *t);

/* A batch of up to room entries: its journal made and pinned, then the
 * record says a batch is under way. */
int txn_journal_begin(struct txn *t, __u32 room);
/* Append an entry of TXN_OP_SIZE bytes, before what it records is done. */
int txn_journal_add(struct txn *t, const void *op);
/*
 * The journal's entries in order: this batch's, or at a start those a
 * cut batch left (up to the first unused one). *ops (free() it) gets
 * *n entries of TXN_OP_SIZE bytes.
 */
int txn_journal_read(struct txn *t, void **ops, __u32 *n);
/* The batch is over, committed (a new generation) or undone: the record
 * says so first, then the journal is unpinned. */
int txn_journal_end(struct txn *t, bool committed);

#endif /* XLB_TXN_H */
