// SPDX-License-Identifier: GPL-2.0
/*
 * Mismatches known and expected until a pending fix of the data plane
 * lands, each with the frames it applies to and the difference it
 * explains. They are reported apart and do not fail a run; an entry that
 * applied to frames of a run and explained none of them is stale (the fix
 * has landed), and fails the run until it is removed from this table.
 * None is pending now: the table holds its end alone.
 */
#include <stdio.h>

#include "model.h"

struct fz_known {
	const char *name; /* NULL: the table's end */
	const char *pending; /* the fix that removes it */
	bool (*applies)(const struct fz_parse *p, const struct fz_expect *e);
	bool (*explains)(const struct fz_expect *e, const struct fz_result *res,
			 const struct fz_mismatch *mm);
	__u64 seen, explained;
};

static struct fz_known known[] = {
	{ NULL },
};

void fz_known_note(const struct fz_parse *p, const struct fz_expect *e,
		   const struct fz_result *res, struct fz_mismatch *mm,
		   bool count)
{
	for (int i = 0; known[i].name; i++) {
		if (!known[i].applies(p, e))
			continue;
		known[i].seen += count;
		if (mm->parts && mm->known < 0 &&
		    known[i].explains(e, res, mm)) {
			known[i].explained += count;
			mm->known = i;
		}
	}
}

const char *fz_known_name(int i)
{
	for (int k = 0; known[k].name; k++)
		if (k == i)
			return known[k].name;
	return "";
}

int fz_known_report(FILE *out)
{
	int stale = 0;

	for (struct fz_known *k = known; k->name; k++) {
		if (k->explained)
			fprintf(out,
				"known    %llu of %llu frames: %s (until \"%s\")\n",
				(unsigned long long)k->explained,
				(unsigned long long)k->seen, k->name,
				k->pending);
		else if (k->seen) {
			fprintf(out,
				"STALE    known mismatch never seen in %llu "
				"frames it applies to: \"%s\" has landed; "
				"remove \"%s\" from fuzz_known.c\n",
				(unsigned long long)k->seen, k->pending,
				k->name);
			stale++;
		}
	}
	return stale;
}

void fz_known_clear(void)
{
	for (struct fz_known *k = known; k->name; k++)
		k->seen = k->explained = 0;
}
