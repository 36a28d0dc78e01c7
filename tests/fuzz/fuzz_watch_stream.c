/* SPDX-License-Identifier: Apache-2.0 */
/* Watch stream decoding: bytes split into chunks (sizes taken from the first
 * input byte), lines bounded, each line decoded as a watch event. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "httpclient.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int decode(const char *line, size_t len, void *userdata) {
        size_t *events = userdata;
        _cleanup_free_ char *type = NULL;
        _cleanup_json_ json *obj = NULL;
        _cleanup_error_ tm_error *err = NULL;
        int r = http_watch_event_parse(line, len, 4096, &type, &obj, &err);
        if (r < 0) {
                if (!err || type || obj)
                        abort();
                return 0; /* keep going: exercise the splitter further */
        }
        if (!type || !json_is_object(obj))
                abort();
        (*events)++;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        size_t step = (size_t)data[0] % 17 + 1, events = 0;
        data++;
        size--;
        http_line_splitter s;
        http_line_splitter_init(&s, 4096);
        for (size_t off = 0; off < size;) {
                size_t n = size - off < step ? size - off : step;
                if (http_line_splitter_feed(&s, (const char *)data + off, n, decode, &events,
                                            NULL) < 0)
                        break;
                off += n;
                step = step * 7 % 31 + 1;
        }
        http_line_splitter_done(&s);
        return 0;
}
