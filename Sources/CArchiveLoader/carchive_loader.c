#include "carchive_loader.h"

#include <dlfcn.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

// libarchive's entry points with their own prototypes (archive.h, archive_entry.h).
// archive_set_error is variadic: it is called through a pointer of its variadic type.
typedef const char *(*version_string_fn)(void);
typedef struct archive *(*read_new_fn)(void);
typedef int (*archive_int_fn)(struct archive *);
typedef int (*open_memory_fn)(struct archive *, const void *, size_t);
typedef int (*set_read_callback_fn)(struct archive *, archive_read_callback *);
typedef int (*set_skip_callback_fn)(struct archive *, archive_skip_callback *);
typedef int (*set_seek_callback_fn)(struct archive *, archive_seek_callback *);
typedef int (*set_callback_data_fn)(struct archive *, void *);
typedef int (*next_header_fn)(struct archive *, struct archive_entry **);
typedef la_ssize_t (*read_data_fn)(struct archive *, void *, size_t);
typedef const char *(*error_string_fn)(struct archive *);
typedef int (*filter_code_fn)(struct archive *, int);
typedef void (*set_error_fn)(struct archive *, int, const char *, ...);
typedef const char *(*entry_text_fn)(struct archive_entry *);
typedef __LA_MODE_T (*entry_filetype_fn)(struct archive_entry *);
typedef la_int64_t (*entry_size_fn)(struct archive_entry *);
typedef int (*entry_int_fn)(struct archive_entry *);
typedef struct archive *(*write_new_fn)(void);
typedef int (*write_open_fn)(struct archive *, void *, archive_open_callback *, archive_write_callback *,
                             archive_close_callback *);
typedef int (*write_header_fn)(struct archive *, struct archive_entry *);
typedef la_ssize_t (*write_data_fn)(struct archive *, const void *, size_t);
typedef struct archive_entry *(*entry_new_fn)(void);
typedef void (*entry_free_fn)(struct archive_entry *);
typedef void (*entry_set_text_fn)(struct archive_entry *, const char *);
typedef void (*entry_set_int64_fn)(struct archive_entry *, la_int64_t);
typedef void (*entry_set_mode_fn)(struct archive_entry *, __LA_MODE_T);
typedef void (*entry_set_type_fn)(struct archive_entry *, unsigned int);
typedef void (*entry_set_time_fn)(struct archive_entry *, time_t, long);

static struct {
    version_string_fn version_string;
    read_new_fn read_new;
    archive_int_fn read_free;
    archive_int_fn support_filter_gzip;
    archive_int_fn support_format_tar;
    archive_int_fn support_format_zip;
    archive_int_fn support_format_iso9660;
    open_memory_fn open_memory;
    set_read_callback_fn set_read_callback;
    set_skip_callback_fn set_skip_callback;
    set_seek_callback_fn set_seek_callback;
    set_callback_data_fn set_callback_data;
    archive_int_fn open1;
    next_header_fn next_header;
    read_data_fn read_data;
    archive_int_fn read_data_skip;
    error_string_fn error_string;
    archive_int_fn error_number;
    archive_int_fn format;
    filter_code_fn filter_code;
    set_error_fn set_error;
    entry_text_fn entry_pathname_utf8;
    entry_text_fn entry_pathname;
    entry_filetype_fn entry_filetype;
    entry_size_fn entry_size;
    entry_int_fn entry_size_is_set;
    entry_text_fn entry_symlink_utf8;
    entry_text_fn entry_hardlink_utf8;
    write_new_fn write_new;
    archive_int_fn write_free;
    archive_int_fn write_add_filter_gzip;
    archive_int_fn write_set_format_pax_restricted;
    write_open_fn write_open;
    write_header_fn write_header;
    write_data_fn write_data;
    archive_int_fn write_close;
    entry_new_fn entry_new;
    entry_free_fn entry_free;
    entry_set_text_fn entry_set_pathname_utf8;
    entry_set_int64_fn entry_set_size;
    entry_set_type_fn entry_set_filetype;
    entry_set_mode_fn entry_set_perm;
    entry_set_time_fn entry_set_mtime;
} lib;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int load_result = -1;
static char load_error[512] = "";

// dlsym's result as a function pointer: POSIX guarantees the conversion works.
#define BIND(field, name)                                                                      \
    do {                                                                                       \
        void *symbol = dlsym(handle, name);                                                    \
        if (symbol == NULL) {                                                                  \
            snprintf(load_error, sizeof load_error, "libarchive.so.13 has no %s", name);       \
            return;                                                                            \
        }                                                                                      \
        memcpy(&lib.field, &symbol, sizeof symbol);                                            \
    } while (0)

static void load(void) {
    // RTLD_LOCAL: libarchive's symbols (and those of the libraries it needs) stay out of the
    // global namespace.
    void *handle = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        snprintf(load_error, sizeof load_error, "%s", reason != NULL ? reason : "cannot load libarchive.so.13");
        return;
    }
    BIND(version_string, "archive_version_string");
    BIND(read_new, "archive_read_new");
    BIND(read_free, "archive_read_free");
    BIND(support_filter_gzip, "archive_read_support_filter_gzip");
    BIND(support_format_tar, "archive_read_support_format_tar");
    BIND(support_format_zip, "archive_read_support_format_zip");
    BIND(support_format_iso9660, "archive_read_support_format_iso9660");
    BIND(open_memory, "archive_read_open_memory");
    BIND(set_read_callback, "archive_read_set_read_callback");
    BIND(set_skip_callback, "archive_read_set_skip_callback");
    BIND(set_seek_callback, "archive_read_set_seek_callback");
    BIND(set_callback_data, "archive_read_set_callback_data");
    BIND(open1, "archive_read_open1");
    BIND(next_header, "archive_read_next_header");
    BIND(read_data, "archive_read_data");
    BIND(read_data_skip, "archive_read_data_skip");
    BIND(error_string, "archive_error_string");
    BIND(error_number, "archive_errno");
    BIND(format, "archive_format");
    BIND(filter_code, "archive_filter_code");
    BIND(set_error, "archive_set_error");
    BIND(entry_pathname_utf8, "archive_entry_pathname_utf8");
    BIND(entry_pathname, "archive_entry_pathname");
    BIND(entry_filetype, "archive_entry_filetype");
    BIND(entry_size, "archive_entry_size");
    BIND(entry_size_is_set, "archive_entry_size_is_set");
    BIND(entry_symlink_utf8, "archive_entry_symlink_utf8");
    BIND(entry_hardlink_utf8, "archive_entry_hardlink_utf8");
    BIND(write_new, "archive_write_new");
    BIND(write_free, "archive_write_free");
    BIND(write_add_filter_gzip, "archive_write_add_filter_gzip");
    BIND(write_set_format_pax_restricted, "archive_write_set_format_pax_restricted");
    BIND(write_open, "archive_write_open");
    BIND(write_header, "archive_write_header");
    BIND(write_data, "archive_write_data");
    BIND(write_close, "archive_write_close");
    BIND(entry_new, "archive_entry_new");
    BIND(entry_free, "archive_entry_free");
    BIND(entry_set_pathname_utf8, "archive_entry_set_pathname_utf8");
    BIND(entry_set_size, "archive_entry_set_size");
    BIND(entry_set_filetype, "archive_entry_set_filetype");
    BIND(entry_set_perm, "archive_entry_set_perm");
    BIND(entry_set_mtime, "archive_entry_set_mtime");
    load_result = 0;
}

int carchive_load(void) {
    pthread_once(&load_once, load);
    return load_result;
}

const char *carchive_load_error(void) { return load_error; }

const char *carchive_version(void) { return load_result == 0 ? lib.version_string() : ""; }

static pthread_once_t locale_once = PTHREAD_ONCE_INIT;
static locale_t utf8_locale = (locale_t)0;

static void make_utf8_locale(void) { utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0); }

void *carchive_use_utf8_locale(void) {
    pthread_once(&locale_once, make_utf8_locale);
    if (utf8_locale == (locale_t)0) return NULL;
    return (void *)uselocale(utf8_locale);
}

void carchive_restore_locale(void *previous) {
    if (previous != NULL) uselocale((locale_t)previous);
}

struct archive *carchive_read_new(void) { return lib.read_new(); }

int carchive_read_free(struct archive *archive) { return lib.read_free(archive); }

int carchive_read_support_filter_gzip(struct archive *archive) { return lib.support_filter_gzip(archive); }

int carchive_read_support_format_tar(struct archive *archive) { return lib.support_format_tar(archive); }

int carchive_read_support_format_zip(struct archive *archive) { return lib.support_format_zip(archive); }

int carchive_read_support_format_iso9660(struct archive *archive) { return lib.support_format_iso9660(archive); }

int carchive_read_open_memory(struct archive *archive, const void *data, size_t size) {
    return lib.open_memory(archive, data, size);
}

int carchive_read_open_callbacks(struct archive *archive, void *context, archive_read_callback *read,
                                 archive_skip_callback *skip, archive_seek_callback *seek) {
    int result = lib.set_read_callback(archive, read);
    if (result == ARCHIVE_OK) result = lib.set_skip_callback(archive, skip);
    if (result == ARCHIVE_OK && seek != NULL) result = lib.set_seek_callback(archive, seek);
    if (result == ARCHIVE_OK) result = lib.set_callback_data(archive, context);
    if (result == ARCHIVE_OK) result = lib.open1(archive);
    return result;
}

int carchive_read_next_header(struct archive *archive, struct archive_entry **entry) {
    return lib.next_header(archive, entry);
}

la_ssize_t carchive_read_data(struct archive *archive, void *buffer, size_t size) {
    return lib.read_data(archive, buffer, size);
}

int carchive_read_data_skip(struct archive *archive) { return lib.read_data_skip(archive); }

const char *carchive_error_string(struct archive *archive) { return lib.error_string(archive); }

int carchive_errno(struct archive *archive) { return lib.error_number(archive); }

int carchive_format(struct archive *archive) { return lib.format(archive); }

int carchive_filter_code(struct archive *archive, int index) { return lib.filter_code(archive, index); }

void carchive_set_error(struct archive *archive, int code, const char *message) {
    lib.set_error(archive, code, "%s", message);
}

const char *carchive_entry_pathname_utf8(struct archive_entry *entry) { return lib.entry_pathname_utf8(entry); }

const char *carchive_entry_pathname(struct archive_entry *entry) { return lib.entry_pathname(entry); }

unsigned int carchive_entry_filetype(struct archive_entry *entry) {
    return (unsigned int)lib.entry_filetype(entry);
}

la_int64_t carchive_entry_size(struct archive_entry *entry) { return lib.entry_size(entry); }

int carchive_entry_size_is_set(struct archive_entry *entry) { return lib.entry_size_is_set(entry); }

const char *carchive_entry_symlink_utf8(struct archive_entry *entry) { return lib.entry_symlink_utf8(entry); }

const char *carchive_entry_hardlink_utf8(struct archive_entry *entry) { return lib.entry_hardlink_utf8(entry); }

struct archive *carchive_write_new(void) { return lib.write_new(); }

int carchive_write_free(struct archive *archive) { return lib.write_free(archive); }

int carchive_write_add_filter_gzip(struct archive *archive) { return lib.write_add_filter_gzip(archive); }

int carchive_write_set_format_pax_restricted(struct archive *archive) {
    return lib.write_set_format_pax_restricted(archive);
}

int carchive_write_open_callback(struct archive *archive, void *context, archive_write_callback *write) {
    return lib.write_open(archive, context, NULL, write, NULL);
}

int carchive_write_header(struct archive *archive, struct archive_entry *entry) {
    return lib.write_header(archive, entry);
}

la_ssize_t carchive_write_data(struct archive *archive, const void *buffer, size_t size) {
    return lib.write_data(archive, buffer, size);
}

int carchive_write_close(struct archive *archive) { return lib.write_close(archive); }

struct archive_entry *carchive_entry_new(void) { return lib.entry_new(); }

void carchive_entry_free(struct archive_entry *entry) { lib.entry_free(entry); }

void carchive_entry_set_pathname_utf8(struct archive_entry *entry, const char *path) {
    lib.entry_set_pathname_utf8(entry, path);
}

void carchive_entry_set_size(struct archive_entry *entry, la_int64_t size) { lib.entry_set_size(entry, size); }

void carchive_entry_set_filetype(struct archive_entry *entry, unsigned int type) {
    lib.entry_set_filetype(entry, type);
}

void carchive_entry_set_perm(struct archive_entry *entry, unsigned int perm) {
    lib.entry_set_perm(entry, (__LA_MODE_T)perm);
}

void carchive_entry_set_mtime(struct archive_entry *entry, la_int64_t seconds, long nanoseconds) {
    lib.entry_set_mtime(entry, (time_t)seconds, nanoseconds);
}
