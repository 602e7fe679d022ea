#include "ccompress.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

// zlib counts in uInt: at most 1 GiB goes in or out per call.
static const size_t step = (size_t)1 << 30;

static uInt capped(size_t value) { return value > step ? (uInt)step : (uInt)value; }

void hh_compress_free(void *pointer) { free(pointer); }

int hh_gzip(const uint8_t *input, size_t length, uint8_t **out, size_t *out_length) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    // windowBits 15 + 16: a gzip wrapper, whose header zlib writes with mtime 0 and no name.
    if (deflateInit2(&stream, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 1;
    // deflateBound is enough for the whole output, so the loop never runs out of room.
    size_t capacity = (size_t)deflateBound(&stream, (uLong)length) + 64;
    uint8_t *buffer = malloc(capacity);
    if (!buffer) { deflateEnd(&stream); return 1; }
    stream.next_in = (Bytef *)input;
    stream.next_out = buffer;
    size_t fed = 0, written = 0;
    int status;
    do {
        if (stream.avail_in == 0 && fed < length) { stream.avail_in = capped(length - fed); fed += stream.avail_in; }
        uInt room = capped(capacity - written);
        stream.avail_out = room;
        status = deflate(&stream, fed == length ? Z_FINISH : Z_NO_FLUSH);
        written += room - stream.avail_out;
    } while (status == Z_OK);
    deflateEnd(&stream);
    if (status != Z_STREAM_END) { free(buffer); return 1; }
    *out = buffer;
    *out_length = written;
    return 0;
}

int hh_gunzip(const uint8_t *input, size_t length, size_t limit, uint8_t **out, size_t *out_length) {
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (inflateInit2(&stream, 15 + 16) != Z_OK) return 1;
    size_t capacity = length * 4 + 4096;
    if (capacity > limit + 1) capacity = limit + 1;
    uint8_t *buffer = malloc(capacity);
    if (!buffer) { inflateEnd(&stream); return 1; }
    stream.next_in = (Bytef *)input;
    size_t fed = 0, used = 0;
    int status = Z_OK, result = 1;
    for (;;) {
        if (used == capacity) {
            if (capacity > limit) { result = 2; break; }
            size_t grown = capacity * 2 > limit + 1 ? limit + 1 : capacity * 2;
            uint8_t *bigger = realloc(buffer, grown);
            if (!bigger) break;
            buffer = bigger;
            capacity = grown;
        }
        if (stream.avail_in == 0 && fed < length) { stream.avail_in = capped(length - fed); fed += stream.avail_in; }
        uInt room = capped(capacity - used);
        stream.next_out = buffer + used;
        stream.avail_out = room;
        status = inflate(&stream, Z_NO_FLUSH);
        used += room - stream.avail_out;
        if (status == Z_STREAM_END) {
            // One whole member and nothing after it.
            result = (fed == length && stream.avail_in == 0) ? (used > limit ? 2 : 0) : 1;
            break;
        }
        if (status == Z_BUF_ERROR && stream.avail_out == 0) continue;  // room ran out, not data
        if (status != Z_OK) break;                                     // corrupt
        if (stream.avail_in == 0 && fed == length && stream.avail_out > 0) break;  // truncated
    }
    inflateEnd(&stream);
    if (result != 0) { free(buffer); return result; }
    *out = buffer;
    *out_length = used;
    return 0;
}
