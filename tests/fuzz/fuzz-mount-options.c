/* libFuzzer target: runtime/rootfs/options.c.  The input is a
 * mounts[].options list, one option per line (as config.json would carry
 * it once decoded); each line is also read as a rootfsPropagation value and
 * as a container path to clean.  Built by `make fuzz`, run by
 * tests/run-all. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/util.h"
#include "runtime/rootfs/rootfs.h"

#define MAX_OPTIONS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	char *options[MAX_OPTIONS + 1];
	size_t n = 0;
	for (char *p = text; n < MAX_OPTIONS; n++) {
		options[n] = p;
		char *nl = strchr(p, '\n');
		if (!nl) {
			n++;
			break;
		}
		*nl = '\0';
		p = nl + 1;
	}
	options[n] = NULL;

	struct vs_error err = VS_ERROR_INIT;
	struct rootfs_mount_opts o;
	if (rootfs_parse_mount_options(options, &o, &err) == 0) {
		uint64_t set, clr;
		rootfs_flags_to_attr(o.flags, o.clear, &set, &clr);
		rootfs_mount_opts_free(&o);
	}
	vs_error_clear(&err);
	for (size_t i = 0; i < n; i++) {
		(void)rootfs_parse_propagation(options[i]);
		char *clean = NULL;
		if (rootfs_clean_path(options[i], &clean, &err) == 0)
			free(clean);
		vs_error_clear(&err);
	}
	free(text);
	return 0;
}
