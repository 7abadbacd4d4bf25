#ifndef GUESTPREP_CARCHIVE_LOADER_H
#define GUESTPREP_CARCHIVE_LOADER_H

// libarchive, bound with dlopen("libarchive.so.13") on first use instead of linked.
//
// Linking libarchive would load it and the nine or so libraries it needs (libnettle, libxml2,
// liblzma, libzstd, liblz4, libbz2, libacl, zlib, ...) at every start of guestprep, which sits
// on the boot critical path; only a Bitfusion token archive or an OVF environment on a CD-ROM
// or ISO image, and the support bundle, need it. <archive.h> and <archive_entry.h> are included
// for their types and constants only: nothing here refers to a libarchive symbol, so the binary
// has no libarchive
// in its DT_NEEDED (`readelf -d $(scripts/build-release.sh | tail -1) | grep NEEDED`).
//
// guestprep reads archives (never extracting to disk) and writes one kind: the support bundle,
// a gzip-compressed tar built in memory. These are the functions it uses, one wrapper each,
// plus one that opens an archive on callbacks and one for archive_set_error, which is
// variadic and so cannot be called from Swift.

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The file types carchive_entry_filetype returns (AE_IF* of <archive_entry.h>, whose casts keep
/// Swift from importing them).
static const unsigned int carchive_type_regular = AE_IFREG;
static const unsigned int carchive_type_directory = AE_IFDIR;
static const unsigned int carchive_type_symbolic_link = AE_IFLNK;
static const unsigned int carchive_type_character_device = AE_IFCHR;
static const unsigned int carchive_type_block_device = AE_IFBLK;
static const unsigned int carchive_type_fifo = AE_IFIFO;
static const unsigned int carchive_type_socket = AE_IFSOCK;
/// The error number of "Unrecognized archive format": ARCHIVE_ERRNO_FILE_FORMAT, which
/// archive.h leaves to libarchive's private archive_platform.h: EFTYPE where the system has it,
/// else EILSEQ (Linux).
static const int carchive_errno_file_format = EILSEQ;

/// Loads libarchive.so.13, once per process (thread-safe). Returns 0 when libarchive is
/// usable, -1 otherwise; then carchive_load_error() says why.
int carchive_load(void);
/// Why carchive_load failed (dlopen's or dlsym's message), or "" when it did not.
const char *carchive_load_error(void);
/// The loaded libarchive's version text ("libarchive 3.6.2"), or "" before a successful load.
const char *carchive_version(void);

/// Makes the calling thread's character type locale C.UTF-8 (uselocale) and returns the one it
/// had, for carchive_restore_locale; NULL when C.UTF-8 does not exist (nothing changed).
/// libarchive converts names to the current locale's character set: in the "C" locale a
/// process starts with, a Joliet or zip name outside ASCII cannot be converted and comes back
/// as NULL. Thread-local: other threads keep their locale.
void *carchive_use_utf8_locale(void);
/// Gives the thread back the locale carchive_use_utf8_locale returned (nothing for NULL).
void carchive_restore_locale(void *previous);

// Each of these needs a successful carchive_load first.
struct archive *carchive_read_new(void);
int carchive_read_free(struct archive *archive);
int carchive_read_support_filter_gzip(struct archive *archive);
int carchive_read_support_format_tar(struct archive *archive);
int carchive_read_support_format_zip(struct archive *archive);
int carchive_read_support_format_iso9660(struct archive *archive);
/// archive_read_open_memory: `data` must stay in place until carchive_read_free.
int carchive_read_open_memory(struct archive *archive, const void *data, size_t size);
/// Opens `archive` on callbacks with `context` as their client data (archive_read_set_*_callback,
/// archive_read_set_callback_data, archive_read_open1). `seek` may be NULL.
int carchive_read_open_callbacks(struct archive *archive, void *context, archive_read_callback *read,
                                 archive_skip_callback *skip, archive_seek_callback *seek);
int carchive_read_next_header(struct archive *archive, struct archive_entry **entry);
la_ssize_t carchive_read_data(struct archive *archive, void *buffer, size_t size);
int carchive_read_data_skip(struct archive *archive);
/// The archive's last error message, or NULL when it has none.
const char *carchive_error_string(struct archive *archive);
/// The archive's last error number (ARCHIVE_ERRNO_FILE_FORMAT for an unrecognized format).
int carchive_errno(struct archive *archive);
/// The format libarchive recognized (ARCHIVE_FORMAT_*), 0 before it recognized one.
int carchive_format(struct archive *archive);
/// The code of filter `index` (0: the outermost, e.g. ARCHIVE_FILTER_GZIP).
int carchive_filter_code(struct archive *archive, int index);
/// archive_set_error(archive, code, "%s", message): for a callback's failure.
void carchive_set_error(struct archive *archive, int code, const char *message);

/// The entry's path in UTF-8 (libarchive converts names from the archive's character set);
/// NULL when it cannot be converted. Owned by the entry.
const char *carchive_entry_pathname_utf8(struct archive_entry *entry);
/// The entry's path as stored, in no particular character set. Owned by the entry.
const char *carchive_entry_pathname(struct archive_entry *entry);
/// AE_IFREG, AE_IFDIR, AE_IFLNK, ... (the S_IFMT bits of the mode).
unsigned int carchive_entry_filetype(struct archive_entry *entry);
/// The size the header gives; meaningful only when carchive_entry_size_is_set.
la_int64_t carchive_entry_size(struct archive_entry *entry);
int carchive_entry_size_is_set(struct archive_entry *entry);
/// A symbolic link's or hard link's target (UTF-8), or NULL when the entry is neither.
const char *carchive_entry_symlink_utf8(struct archive_entry *entry);
const char *carchive_entry_hardlink_utf8(struct archive_entry *entry);

// Writing (the support bundle). Each needs a successful carchive_load first.
struct archive *carchive_write_new(void);
int carchive_write_free(struct archive *archive);
int carchive_write_add_filter_gzip(struct archive *archive);
/// archive_write_set_format_pax_restricted: ustar, with pax headers only where ustar cannot
/// hold a name or a size.
int carchive_write_set_format_pax_restricted(struct archive *archive);
/// archive_write_open with no open or close callback: `write` gets every block, with `context`
/// as its client data.
int carchive_write_open_callback(struct archive *archive, void *context, archive_write_callback *write);
int carchive_write_header(struct archive *archive, struct archive_entry *entry);
la_ssize_t carchive_write_data(struct archive *archive, const void *buffer, size_t size);
/// archive_write_close: flushes the last block and the gzip trailer.
int carchive_write_close(struct archive *archive);
struct archive_entry *carchive_entry_new(void);
void carchive_entry_free(struct archive_entry *entry);
/// archive_entry_set_pathname_utf8 (copies the name).
void carchive_entry_set_pathname_utf8(struct archive_entry *entry, const char *path);
void carchive_entry_set_size(struct archive_entry *entry, la_int64_t size);
/// The file type, one of the carchive_type_* values.
void carchive_entry_set_filetype(struct archive_entry *entry, unsigned int type);
void carchive_entry_set_perm(struct archive_entry *entry, unsigned int perm);
void carchive_entry_set_mtime(struct archive_entry *entry, la_int64_t seconds, long nanoseconds);

#ifdef __cplusplus
}
#endif

#endif
