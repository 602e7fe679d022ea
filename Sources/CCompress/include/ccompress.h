#ifndef CCOMPRESS_H
#define CCOMPRESS_H

#include <stddef.h>
#include <stdint.h>

/// gzip (RFC 1952) through the system's zlib: one member, modification time 0 and no file name,
/// so the same bytes always compress to the same file (the history branch names files by content).
/// On success returns 0 and sets *out (free it with hh_compress_free) and *out_length.
int hh_gzip(const uint8_t *input, size_t length, uint8_t **out, size_t *out_length);

/// Decompresses gzip bytes. Returns 0 on success, 1 when the input is not whole gzip data, and 2
/// when the output would pass `limit` bytes (a file on a shared branch is input like any other).
int hh_gunzip(const uint8_t *input, size_t length, size_t limit, uint8_t **out, size_t *out_length);

void hh_compress_free(void *pointer);

#endif
