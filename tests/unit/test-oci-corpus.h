/* Helpers shared by the oci unit tests: locating and reading the config
 * corpus in tests/data/configs (run from the source root, as tests/run-all
 * does, or with VESSEL_SRCDIR set). */
#ifndef VESSEL_TESTS_OCI_CORPUS_H
#define VESSEL_TESTS_OCI_CORPUS_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"

static inline char *corpus_path(const char *rel)
{
	const char *src = getenv("VESSEL_SRCDIR");
	return vs_strdup_printf("%s/tests/data/configs/%s", src ? src : ".", rel);
}

/* Whole file, or NULL (and a TAP diagnostic). */
static inline char *corpus_read(const char *rel, size_t *ret_len)
{
	struct vs_error err = VS_ERROR_INIT;
	char *path = corpus_path(rel);
	char *buf = NULL;
	if (vs_read_file(path, 0, &buf, ret_len, &err) < 0) {
		printf("# cannot read %s: %s\n", path, err.msg);
		vs_error_clear(&err);
	}
	free(path);
	return buf;
}

static int corpus_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the files in a corpus folder ending in suffix. */
static inline char **corpus_list(const char *dir, const char *suffix)
{
	char *path = corpus_path(dir);
	DIR *d = opendir(path);
	free(path);
	char **names = NULL;
	if (!d)
		return NULL;
	struct dirent *e;
	size_t sl = strlen(suffix);
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > sl && strcmp(e->d_name + l - sl, suffix) == 0)
			vs_strv_push(&names, e->d_name);
	}
	closedir(d);
	if (names)
		qsort(names, vs_strv_len(names), sizeof(char *), corpus_cmp);
	return names;
}

#endif
