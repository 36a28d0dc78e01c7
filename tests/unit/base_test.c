/* SPDX-License-Identifier: Apache-2.0 */
/* The error convention, strbuf and logging helpers. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "strbuf.h"
#include "tests/tap.h"
#include "tmerror.h"

static int leaf(int x, tm_error **err) {
        if (x < 0)
                return tm_error_set(err, -EINVAL, "value %d is negative", x);
        return x * 2;
}

static int middle(int x, tm_error **err) {
        int r = leaf(x, err);
        if (r < 0)
                return tm_error_wrap(err, r, "decode \"%s\"", "web-0");
        return r;
}

static int count_frees;
static void counted_free(int *p) {
        if (*p >= 0)
                count_frees++;
}

int main(void) {
        _cleanup_error_ tm_error *err = NULL;

        is_int(middle(3, &err), 6, "success returns the value");
        ok(err == NULL, "success leaves err unset");
        is_int(middle(-1, &err), -EINVAL, "failure returns the negative errno");
        is_str(tm_error_msg(err), "decode \"web-0\": value -1 is negative",
               "context is prefixed on the way up");
        is_int(middle(-2, NULL), -EINVAL, "NULL err still yields the code");
        is_int(tm_error_set(&err, -ENOENT, "replaced"), -ENOENT, "set replaces");
        is_str(tm_error_msg(err), "replaced", "replaced message");
        is_int(tm_error_set_errno(&err, -ENOENT, "open %s", "/x"), -ENOENT, "set_errno code");
        is_str(tm_error_msg(err), "open /x: No such file or directory",
               "set_errno appends strerror");
        is_int(tm_error_set(&err, 5, "positive"), -EIO, "a non-negative code becomes -EIO");
        is_str(tm_error_msg(NULL), "unknown error", "msg of NULL");
        tm_error_free(err);
        err = NULL;
        is_int(tm_error_wrap(&err, -ENOENT, "read %s", "/etc/x"), -ENOENT,
               "wrap without a message");
        is_str(tm_error_msg(err), "read /etc/x: No such file or directory",
               "wrap makes one from strerror");

        {
                _cleanup_(counted_free) int a = 1;
                _cleanup_(counted_free) int b = -1;
                (void)a, (void)b;
        }
        is_int(count_frees, 1, "cleanup runs at scope exit");

        char *p = xstrdup("x");
        _cleanup_free_ char *q = p;
        char *t = TAKE_PTR(q);
        ok(q == NULL && t == p, "TAKE_PTR moves ownership");
        free(t);
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int cfd = fd;
        int tfd = TAKE_FD(cfd);
        ok(cfd == -1 && tfd == fd, "TAKE_FD moves ownership");
        close(tfd);

        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        for (int i = 0; i < 1000; i++)
                strbuf_printf(&b, "%d,", i);
        is_int(b.len, 3890, "strbuf grows over many appends");
        ok(strncmp(b.data, "0,1,2,", 6) == 0 && b.data[b.len] == '\0', "strbuf content");
        strbuf_reset(&b);
        strbuf_printf(&b, "%0300d", 7);
        is_int(b.len, 300, "strbuf_printf over the stack buffer");
        size_t n;
        char *s = strbuf_take(&b, &n);
        ok(n == 300 && s[299] == '7' && b.data == NULL, "strbuf_take hands over");
        free(s);
        s = strbuf_take(&b, &n);
        is_str(s, "", "take of empty buffer gives \"\"");
        free(s);

        is_int(log_level_from_string("debug"), LOG_DEBUG, "level name");
        is_int(log_level_from_string("warn"), LOG_WARNING, "level alias");
        is_int(log_level_from_string("3"), LOG_ERR, "level number");
        is_int(log_level_from_string("loud"), -EINVAL, "unknown level rejected");
        log_set_level(LOG_ERR);
        is_int(log_error_errno(-ENOENT, "test message (expected on stderr)"), -ENOENT,
               "log_error_errno returns -errno");
        is_int(log_debug("suppressed"), 0, "below level: nothing");

        ok(endswith("pods/status", "/status") && !endswith("s", "/status"), "endswith");
        return tap_done();
}
