/* SPDX-License-Identifier: Apache-2.0 */
/* NodePorts: host port conflicts by port, protocol and address. */
#include "config.h"

#include "../tap.h"
#include "sched_helpers.h"

static sched_pod *port_pod(const char *name, const char *ports) {
        char buf[2048];
        snprintf(buf, sizeof(buf),
                 "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\"},\"spec\":{"
                 "\"containers\":[{\"name\":\"web\",\"image\":\"nginx\",\"ports\":[%s]}]}}",
                 name, ports);
        return mkpod(buf);
}

static sched_code try_on(sched_pod *pod, sched_node *n) {
        sched_profile prof = { 0 };
        sched_cycle c = { .profile = &prof, .pod = pod };
        sched_status st = { 0 };
        if (sched_plugin_node_ports.pre_filter(&c, NULL, NULL, &st) == SCHED_SKIP)
                return SCHED_SKIP;
        sched_code code = sched_plugin_node_ports.filter(&c, NULL, NULL, n, &st);
        if (code != SCHED_SUCCESS &&
            !streq(st.reasons[0], "node(s) didn't have free ports for the requested pod ports"))
                code = _SCHED_CODE_INVALID;
        sched_status_done(&st);
        return code;
}

int main(void) {
        sched_node *n = mknode_simple("n", "4", "8Gi", "", "");
        sched_pod *http = port_pod("http", "{\"containerPort\":80,\"hostPort\":8080}");
        is_int(http->n_host_ports, 1, "host port collected");
        is_str(http->host_ports[0].protocol, "TCP", "protocol defaults to TCP");
        is_int(try_on(http, n), SCHED_SUCCESS, "free node");
        sched_node_add_pod(n, http);

        sched_pod *same = port_pod("same", "{\"containerPort\":80,\"hostPort\":8080}");
        is_int(try_on(same, n), SCHED_UNSCHEDULABLE, "same port and protocol conflicts");
        sched_pod *udp =
                port_pod("udp", "{\"containerPort\":80,\"hostPort\":8080,\"protocol\":\"UDP\"}");
        is_int(try_on(udp, n), SCHED_SUCCESS, "UDP beside TCP");
        sched_pod *other = port_pod("o", "{\"containerPort\":80,\"hostPort\":8081}");
        is_int(try_on(other, n), SCHED_SUCCESS, "another port");
        sched_pod *noport = port_pod("np", "{\"containerPort\":80}");
        is_int(try_on(noport, n), SCHED_SKIP, "no host ports: PreFilter skips");
        sched_node_remove_pod(http);

        sched_pod *ip1 =
                port_pod("ip1", "{\"containerPort\":80,\"hostPort\":9000,\"hostIP\":\"10.0.0.1\"}");
        sched_pod *ip2 =
                port_pod("ip2", "{\"containerPort\":80,\"hostPort\":9000,\"hostIP\":\"10.0.0.2\"}");
        sched_pod *any =
                port_pod("any", "{\"containerPort\":80,\"hostPort\":9000,\"hostIP\":\"0.0.0.0\"}");
        sched_node_add_pod(n, ip1);
        is_int(try_on(ip2, n), SCHED_SUCCESS, "same port on another address");
        is_int(try_on(any, n), SCHED_UNSCHEDULABLE, "0.0.0.0 conflicts with a specific address");
        sched_node_remove_pod(ip1);
        sched_node_add_pod(n, any);
        is_int(try_on(ip2, n), SCHED_UNSCHEDULABLE, "a specific address conflicts with 0.0.0.0");
        sched_node_remove_pod(any);

        sched_pod *side =
                mkpod("{\"metadata\":{\"name\":\"s\",\"namespace\":\"default\"},\"spec\":{"
                      "\"initContainers\":[{\"name\":\"i\",\"ports\":[{\"containerPort\":1,"
                      "\"hostPort\":7000}]},"
                      "{\"name\":\"s\",\"restartPolicy\":\"Always\",\"ports\":[{\"containerPort\":"
                      "1,\"hostPort\":7001}]}],"
                      "\"containers\":[{\"name\":\"c\"}]}}");
        ok(side->n_host_ports == 1 && side->host_ports[0].port == 7001,
           "only restartable init containers' ports count");

        sched_pod *ps[] = { same, udp, other, noport, ip1, ip2, any, side, http };
        for (size_t i = 0; i < ELEMENTSOF(ps); i++)
                sched_pod_free(ps[i]);
        sched_node_free(n);
        return tap_done();
}
