/* libFuzzer target: runtime/image's layer unpacker.  The input is a layer
 * blob (tar, or compressed tar); it is unpacked into a fresh directory
 * inside a private sandbox directory, and nothing may appear in the sandbox
 * beside that directory (an entry that escapes through "..", a symlink or a
 * hard link would land there first: absolute names are refused outright).
 * The diff_id passed is the blob's own sha256, so plain tars also take the
 * path that checks it.  Built by `make fuzz`, run by tests/run-all; it runs
 * as root (owners, devices and xattrs are restored as in a real import), in
 * $TMPDIR. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/util.h"
#include "runtime/image/image-internal.h"

static char *sandbox, *blob, *dest, *outside;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void cleanup(void)
{
	struct vs_error err = VS_ERROR_INIT;
	if (sandbox && img_rm_rf(sandbox, &err) < 0)
		fprintf(stderr, "fuzz-image-layer: %s\n", err.msg);
	vs_error_clear(&err);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	sandbox = vs_strdup_printf("%s/vessel-fuzz-layer-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(sandbox)) {
		perror("mkdtemp");
		exit(1);
	}
	blob = vs_strdup_printf("%s/blob", sandbox);
	dest = vs_strdup_printf("%s/rootfs", sandbox);
	outside = vs_strdup_printf("%s/outside", sandbox);
	atexit(cleanup);
	return 0;
}

/* The sandbox must hold blob and rootfs only (outside is a directory a
 * symlink in the layer could point at, so it must stay empty). */
static void check_sandbox(void)
{
	DIR *d = opendir(sandbox);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    strcmp(e->d_name, "blob") == 0 || strcmp(e->d_name, "rootfs") == 0 ||
		    strcmp(e->d_name, "outside") == 0)
			continue;
		fprintf(stderr, "fuzz-image-layer: the layer wrote %s/%s\n", sandbox, e->d_name);
		abort();
	}
	if (d)
		closedir(d);
	d = opendir(outside);
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		fprintf(stderr, "fuzz-image-layer: the layer wrote %s/%s\n", outside, e->d_name);
		abort();
	}
	if (d)
		closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vs_error err = VS_ERROR_INIT;
	int fd = open(blob, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) {
		perror(blob);
		abort();
	}
	close(fd);
	if (mkdir(dest, 0755) < 0 || mkdir(outside, 0755) < 0) {
		perror("mkdir");
		abort();
	}
	char hex[IMG_HEX_LEN + 1];
	img_sha256_hex(data, size, hex);
	(void)img_unpack_layer(blob, dest, hex, &err);
	vs_error_clear(&err);
	check_sandbox();
	if (img_rm_rf(dest, &err) < 0 || img_rm_rf(outside, &err) < 0) {
		fprintf(stderr, "fuzz-image-layer: %s\n", err.msg);
		abort();
	}
	return 0;
}
