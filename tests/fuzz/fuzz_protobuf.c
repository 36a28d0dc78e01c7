/* SPDX-License-Identifier: Apache-2.0 */
/* pb_decode_object and pb_decode_message (apiserver/protobuf.h): whatever
 * decodes must serialize to JSON that parses back to an equal tree, and
 * encode to protobuf that decodes again. An even
 * first byte decodes the rest as a whole body (envelope and all); an odd
 * one decodes the bytes after the third as the message of the schema type
 * the second and third bytes pick, so mutations reach every message. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "protobuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json *obj = NULL;
        int r;

        if (size < 3 || size > 65536)
                return 0;
        if (data[0] % 2 == 0) {
                r = pb_decode_object(data + 1, size - 1, &obj, NULL);
        } else {
                size_t i = (data[1] | (size_t)data[2] << 8) % schema_n_types;
                r = pb_decode_message(data + 3, size - 3, 3, &schema_type_table[i], &obj, NULL);
        }
        if (r < 0)
                return 0;
        size_t len;
        char *s = json_serialize(obj, 0, &len);
        json *back = NULL;
        if (json_parse(s, len, NULL, &back, NULL) < 0 || !json_equal(obj, back))
                abort();
        json_free(back);
        free(s);
        /* What decodes encodes, and that decodes again. */
        char *pb;
        size_t pb_len;
        const struct schema_type *t =
                data[0] % 2 == 0
                        ? NULL
                        : &schema_type_table[(data[1] | (size_t)data[2] << 8) % schema_n_types];
        if (t ? pb_encode_message(obj, t, &pb, &pb_len, NULL) < 0
              : pb_encode_object(obj, &pb, &pb_len, NULL) < 0)
                abort();
        json *again = NULL;
        if (t ? pb_decode_message(pb, pb_len, 0, t, &again, NULL) < 0
              : pb_decode_object(pb, pb_len, &again, NULL) < 0)
                abort();
        json_free(again);
        free(pb);
        json_free(obj);
        return 0;
}
