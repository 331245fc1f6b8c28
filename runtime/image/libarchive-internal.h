/* libarchive, loaded with dlopen() at first use (libarchive.c); shared
 * inside runtime/image only.
 *
 * Linked, libarchive made every vessel command load it and its eleven
 * dependencies (libxml2, ICU, libstdc++, acl, zstd, lzma, ...) although
 * only `image import` unpacks a tar.  unpack.c calls sym_archive_X, a
 * pointer of archive_X's own type (the prototypes still come from
 * archive.h, so a mismatch is a compile error). */
#ifndef VESSEL_RUNTIME_IMAGE_LIBARCHIVE_INTERNAL_H
#define VESSEL_RUNTIME_IMAGE_LIBARCHIVE_INTERNAL_H

#include <archive.h>
#include <archive_entry.h>

#include "lib/error.h"

/* Every libarchive function runtime/image calls. */
#define IMG_LIBARCHIVE_SYMBOLS(X)                                                                  \
	X(archive_errno)                                                                           \
	X(archive_error_string)                                                                    \
	X(archive_set_error)                                                                       \
	X(archive_read_new)                                                                        \
	X(archive_read_free)                                                                       \
	X(archive_read_support_filter_all)                                                         \
	X(archive_read_support_format_raw)                                                         \
	X(archive_read_support_format_tar)                                                         \
	X(archive_read_open)                                                                       \
	X(archive_read_open_filename)                                                              \
	X(archive_read_next_header)                                                                \
	X(archive_read_data)                                                                       \
	X(archive_read_data_block)                                                                 \
	X(archive_write_disk_new)                                                                  \
	X(archive_write_disk_set_options)                                                          \
	X(archive_write_header)                                                                    \
	X(archive_write_data_block)                                                                \
	X(archive_write_finish_entry)                                                              \
	X(archive_write_close)                                                                     \
	X(archive_write_free)                                                                      \
	X(archive_entry_pathname)                                                                  \
	X(archive_entry_set_pathname)                                                              \
	X(archive_entry_hardlink)                                                                  \
	X(archive_entry_set_hardlink)                                                              \
	X(archive_entry_filetype)                                                                  \
	X(archive_entry_size)                                                                      \
	X(archive_entry_xattr_reset)                                                               \
	X(archive_entry_xattr_next)                                                                \
	X(archive_entry_xattr_clear)                                                               \
	X(archive_entry_xattr_add_entry)

#define IMG_LIBARCHIVE_DECLARE(f) extern __typeof__(f) *sym_##f;
IMG_LIBARCHIVE_SYMBOLS(IMG_LIBARCHIVE_DECLARE)
#undef IMG_LIBARCHIVE_DECLARE

/* Loads libarchive (the soname this build was linked against, see the
 * Makefile's SONAMES_H) and fills every sym_ pointer; later calls return
 * at once.  The error is dlerror()'s, which names the library, e.g.
 * "libarchive.so.13: cannot open shared object file: ...". */
int img_load_libarchive(struct vs_error *err);

#endif
