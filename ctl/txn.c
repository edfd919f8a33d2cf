// SPDX-License-Identifier: GPL-2.0
/*
 * The transaction record and a batch's journal in the pin dir. Order of
 * writes: a journal is pinned before the record names it and unpinned
 * after the record no longer does, so a daemon killed anywhere leaves
 * either a record without a batch (a journal beside it is stale and
 * removed) or a record with a batch and its journal, which the next
 * start undoes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "loader.h"
#include "log.h"
#include "maps.h"
#include "txn.h"

static const char *const state_names[] = {
	[TXN_NONE] = "none",
	[TXN_COMMITTED] = "committed",
	[TXN_START] = "start",
	[TXN_RELOAD] = "reload",
};

const char *txn_state_str(enum txn_state s)
{
	return s <= TXN_RELOAD ? state_names[s] : "unknown";
}

static void path_of(const struct txn *t, const char *name, char *buf,
		    size_t len)
{
	snprintf(buf, len, "%s/%s", t->pin_dir, name);
}

static int record_write(struct txn *t, const struct txn_record *rec)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(t->fd, &zero, rec, BPF_ANY))
		return -errno;
	t->rec = *rec;
	return 0;
}

/* A journal beside the record: the cut batch's, or stale. */
static void journal_find(struct txn *t)
{
	char path[PATH_MAX + 32];
	int fd;

	path_of(t, XLB_PIN_TXN_JOURNAL, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd >= 0 && t->rec.batch) {
		t->journal = fd;
		return;
	}
	if (fd >= 0) {
		close(fd);
		unlink(path);
	} else if (t->rec.batch) {
		log_warn("%s: a batch is under way but its journal is gone",
			 path);
	}
}

int txn_open(struct txn *t, const char *pin_dir, char *err, size_t errlen)
{
	char path[PATH_MAX + 32];
	__u32 zero = 0;
	int fd;

	memset(t, 0, sizeof(*t));
	t->fd = t->journal = -1;
	snprintf(t->pin_dir, sizeof(t->pin_dir), "%s", pin_dir);
	path_of(t, XLB_PIN_TXN, path, sizeof(path));
	fd = maps_own_array(path, XLB_PIN_TXN, sizeof(struct txn_record), 1,
			    &t->found, err, errlen);
	if (fd < 0)
		return fd;
	t->fd = fd;
	if (bpf_map_lookup_elem(fd, &zero, &t->rec)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		txn_close(t);
		return -EIO;
	}
	journal_find(t);
	return 0;
}

void txn_close(struct txn *t)
{
	if (t->journal >= 0)
		close(t->journal);
	if (t->fd >= 0)
		close(t->fd);
	t->fd = t->journal = -1;
}

int txn_begin(struct txn *t, enum txn_state what)
{
	struct txn_record rec = t->rec;

	rec.state = what;
	return record_write(t, &rec);
}

int txn_commit(struct txn *t)
{
	struct txn_record rec = t->rec;

	rec.state = TXN_COMMITTED;
	rec.gen++;
	return record_write(t, &rec);
}

int txn_journal_begin(struct txn *t, __u32 room)
{
	char path[PATH_MAX + 32];
	struct txn_record rec = t->rec;
	int fd, ret;

	path_of(t, XLB_PIN_TXN_JOURNAL, path, sizeof(path));
	unlink(path);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, XLB_PIN_TXN_JOURNAL,
			    sizeof(__u32), TXN_OP_SIZE, room ? room : 1, NULL);
	if (fd < 0)
		return -errno;
	if (bpf_obj_pin(fd, path)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	t->journal = fd;
	t->logged = 0;
	t->room = room;
	rec.batch = 1;
	ret = record_write(t, &rec);
	if (ret) {
		unlink(path);
		close(fd);
		t->journal = -1;
	}
	return ret;
}

int txn_journal_add(struct txn *t, const void *op)
{
	if (t->journal < 0 || t->logged >= t->room)
		return -ENOSPC;
	if (bpf_map_update_elem(t->journal, &t->logged, op, BPF_ANY))
		return -errno;
	t->logged++;
	return 0;
}

/* A cut batch's journal: how many entries it holds. */
static __u32 journal_len(struct txn *t)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), n = 0, first;
	char op[TXN_OP_SIZE];

	if (bpf_obj_get_info_by_fd(t->journal, &info, &len) ||
	    info.value_size != TXN_OP_SIZE)
		return 0;
	while (n < info.max_entries &&
	       !bpf_map_lookup_elem(t->journal, &n, op)) {
		memcpy(&first, op, sizeof(first));
		if (!first)
			break;
		n++;
	}
	return n;
}

int txn_journal_read(struct txn *t, void **ops, __u32 *n)
{
	char *buf;

	*ops = NULL;
	*n = 0;
	if (t->journal < 0)
		return 0;
	if (!t->logged)
		t->logged = journal_len(t);
	buf = calloc(t->logged + 1, TXN_OP_SIZE);
	if (!buf)
		return -ENOMEM;
	for (__u32 i = 0; i < t->logged; i++) {
		if (bpf_map_lookup_elem(t->journal, &i,
					buf + (size_t)i * TXN_OP_SIZE)) {
			free(buf);
			return -errno;
		}
	}
	*ops = buf;
	*n = t->logged;
	return 0;
}

int txn_journal_end(struct txn *t, bool committed)
{
	char path[PATH_MAX + 32];
	struct txn_record rec = t->rec;
	int ret;

	rec.batch = 0;
	if (committed)
		rec.gen++;
	ret = record_write(t, &rec);
	if (ret)
		return ret;
	path_of(t, XLB_PIN_TXN_JOURNAL, path, sizeof(path));
	unlink(path);
	if (t->journal >= 0)
		close(t->journal);
	t->journal = -1;
	t->logged = t->room = 0;
	return 0;
}
