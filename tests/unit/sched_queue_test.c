/* SPDX-License-Identifier: Apache-2.0 */
/* The scheduling queue: order, back-off, unschedulable pods. */
#include "config.h"

#include <stdlib.h>

#include "../tap.h"
#include "scheduler/queue.h"

#define S 1000000000LL

int main(void) {
        sched_queue *q = sched_queue_new();
        sched_queue_add(q, "ns/old", 0, 100, 0);
        sched_queue_add(q, "ns/new", 0, 200, 0);
        sched_queue_add(q, "ns/vip", 1000, 300, 0);
        sched_queue_add(q, "ns/neg", -5, 50, 0);
        is_int(sched_queue_active_len(q), 4, "four active");
        is_str(sched_queue_pop(q, 0), "ns/vip", "highest priority first");
        is_str(sched_queue_pop(q, 0), "ns/old", "then the oldest");
        is_str(sched_queue_pop(q, 0), "ns/new", "then newer");
        is_str(sched_queue_pop(q, 0), "ns/neg", "negative priority last");
        ok(sched_queue_pop(q, 0) == NULL, "empty");

        sched_queue_done(q, "ns/vip");
        ok(!sched_queue_contains(q, "ns/vip"), "done forgets the pod");
        sched_queue_failed(q, "ns/old", false, 10 * S);
        is_int(sched_queue_backoff_len(q), 1, "error: back-off");
        is_int(sched_queue_next_backoff(q), 11 * S, "first back-off 1 s");
        ok(sched_queue_pop(q, 10 * S + S / 2) == NULL, "not before the back-off ends");
        is_str(sched_queue_pop(q, 11 * S), "ns/old", "after the back-off");
        sched_queue_failed(q, "ns/old", false, 20 * S);
        is_int(sched_queue_next_backoff(q), 22 * S, "second back-off 2 s");
        is_int(sched_queue_backoff_ns(4), 8 * S, "fourth 8 s");
        is_int(sched_queue_backoff_ns(5), 10 * S, "capped at 10 s");
        is_int(sched_queue_backoff_ns(60), 10 * S, "capped for many attempts");

        sched_queue_failed(q, "ns/new", true, 20 * S);
        is_int(sched_queue_unschedulable_len(q), 1, "unschedulable parked");
        ok(sched_queue_pop(q, 100 * S) && sched_queue_pop(q, 100 * S) == NULL,
           "the parked pod is not popped (only the backed-off one)");
        sched_queue_failed(q, "ns/old", false, 100 * S);
        sched_queue_move_all(q, 20 * S + S / 2);
        is_int(sched_queue_unschedulable_len(q), 0, "an event moves it out");
        is_int(sched_queue_backoff_len(q), 2, "to back-off while backing off");
        is_str(sched_queue_pop(q, 21 * S), "ns/new", "then active");
        sched_queue_failed(q, "ns/new", true, 30 * S);
        sched_queue_add(q, "ns/new", 0, 200, 40 * S);
        is_int(sched_queue_active_len(q), 1, "an update of a parked pod past its back-off: active");
        sched_queue_delete(q, "ns/new");
        ok(!sched_queue_contains(q, "ns/new") && sched_queue_active_len(q) == 0, "deleted");
        sched_queue_add(q, "ns/z", 0, 1, 0);
        const char *k = sched_queue_pop(q, 0);
        sched_queue_add(q, "ns/z", 0, 1, 0);
        ok(k && sched_queue_active_len(q) == 0, "an update of an in-flight pod leaves it alone");
        sched_queue_failed(q, "ns/z", true, 0);
        sched_queue_flush_unschedulable(q, 299 * S);
        is_int(sched_queue_unschedulable_len(q), 1, "still parked before 5 minutes");
        sched_queue_flush_unschedulable(q, 301 * S);
        is_int(sched_queue_unschedulable_len(q), 0, "flushed after 5 minutes");

        char key[32];
        for (int i = 0; i < 5000; i++) {
                snprintf(key, sizeof(key), "ns/p%d", i);
                sched_queue_add(q, key, i % 7, 5000 - i, 0);
        }
        int32_t last_prio = 1000;
        bool sorted = true;
        size_t n = 0;
        for (const char *p; (p = sched_queue_pop(q, 1000 * S));) {
                int i = atoi(p + 4);
                if (p[3] != 'p')
                        continue;
                if (i % 7 > last_prio)
                        sorted = false;
                last_prio = i % 7;
                n++;
        }
        ok(sorted && n == 5000, "5000 pods popped in priority order");
        sched_queue_free(q);
        return tap_done();
}
