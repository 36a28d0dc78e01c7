/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded on disk: node heartbeats (tests/store_heartbeat.h) for a few
 * simulated hours must leave the database and the WAL bounded by the live
 * data plus the history window, not by the number of updates. The full day
 * (864,000 updates) runs in bench/bench_store --heartbeat-day. */
#include "config.h"

#include <unistd.h>

#include "tests/store_heartbeat.h"
#include "tests/tap.h"

/* Two simulated hours: 72,000 Lease renewals. */
#define TICKS 720

int main(void) {
        char tmpdir[] = "/tmp/store_disk.XXXXXX";
        if (!mkdtemp(tmpdir)) {
                printf("Bail out! mkdtemp\n");
                return 1;
        }
        char db[256], p[300];
        snprintf(db, sizeof(db), "%s/store.db", tmpdir);
        _cleanup_error_ tm_error *err = NULL;
        hb_result res;
        int r = hb_run(db, TICKS, &res, &err);
        is_int(r, 0, "heartbeat run %s", r < 0 ? tm_error_msg(err) : "");

        /* Events in the window: a Lease renewal logs the new and the old
         * value, so about twice the live bytes per 10 s of history. */
        int64_t window_bytes = 2 * res.live_bytes * (HB_HISTORY_MS / HB_PERIOD_MS + 1);
        int64_t bound = 4 * (res.live_bytes + window_bytes) + 1024 * 1024;
        diag("%" PRId64 " updates in %.1f s (%.0f/s), %" PRIu64 " transactions", res.updates,
             res.seconds, (double)res.updates / res.seconds, res.stats.transactions);
        diag("live data %" PRId64 " B, history window ~%" PRId64 " B, bound %" PRId64 " B",
             res.live_bytes, window_bytes, bound);
        diag("db: max %" PRId64 " B, after 1 h %" PRId64 " B, at end %" PRId64
             " B; WAL: max %" PRId64 " B, at end %" PRId64 " B",
             res.max_db, res.db_at_first_hour, res.db_at_end, res.max_wal, res.wal_at_end);
        diag("compactions %" PRIu64 ", compacted up to %" PRId64 " of %" PRId64
             ", checkpoints %" PRIu64 " (%" PRIu64 " truncating)",
             res.stats.compactions, res.stats.compacted, res.stats.revision, res.stats.checkpoints,
             res.stats.wal_truncates);

        is_int(res.failures, 0, "every renewal acknowledged");
        is_int(res.stats.revision, res.updates + 100, "one revision per write");
        ok(res.stats.compactions > 0, "the history was compacted as the clock moved");
        /* The window, plus the compaction interval (a quarter window). */
        int64_t window_revs = HB_NODES * (HB_HISTORY_MS / HB_PERIOD_MS);
        ok(res.stats.revision - res.stats.compacted <= window_revs * 3 / 2 + HB_NODES,
           "only the history window is kept (%" PRId64 " of %" PRId64 " revisions)",
           res.stats.revision - res.stats.compacted, res.stats.revision);
        ok(res.max_db <= bound, "database stayed under %" PRId64 " B (max %" PRId64 " B)", bound,
           res.max_db);
        ok(res.db_at_end <= res.db_at_first_hour * 3 / 2,
           "database did not grow after the first hour (%" PRId64 " -> %" PRId64 " B)",
           res.db_at_first_hour, res.db_at_end);
        /* Checked after each commit: one transaction may go past it. */
        ok(res.max_wal <= HB_WAL_LIMIT + 2 * 1024 * 1024,
           "WAL stayed under its bound of %d B (max %" PRId64 " B)", HB_WAL_LIMIT, res.max_wal);

        unlink(db);
        snprintf(p, sizeof(p), "%s-wal", db);
        unlink(p);
        snprintf(p, sizeof(p), "%s-shm", db);
        unlink(p);
        rmdir(tmpdir);
        return tap_done();
}
