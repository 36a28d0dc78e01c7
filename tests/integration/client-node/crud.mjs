// SPDX-License-Identifier: Apache-2.0
// @kubernetes/client-node against timonier-apiserver: CRUD on ConfigMaps
// and Deployments, an error's Status, and a watch. Prints TAP.
import * as k8s from '@kubernetes/client-node';

let n = 0;
let failed = 0;
function ok(cond, what, extra) {
  n++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${what}`);
  if (!cond) {
    failed++;
    if (extra !== undefined) console.log(`# ${String(extra).split('\n').join('\n# ')}`);
  }
}

const kc = new k8s.KubeConfig();
kc.loadFromFile(process.env.KUBECONFIG);
// The server speaks plain HTTP on loopback (TLS is a later piece of work);
// this client only allows that with skipTLSVerify set.
kc.loadFromOptions({
  clusters: kc.clusters.map(c => ({ ...c, skipTLSVerify: true })),
  users: kc.users, contexts: kc.contexts, currentContext: kc.currentContext,
});
const core = kc.makeApiClient(k8s.CoreV1Api);
const apps = kc.makeApiClient(k8s.AppsV1Api);
const namespace = 'client-node';

try {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  ok(true, 'create namespace');

  // watch configmaps from now on, collecting event types
  const events = [];
  const watch = new k8s.Watch(kc);
  const req = await watch.watch(`/api/v1/namespaces/${namespace}/configmaps`, {},
    (type, obj) => events.push(`${type} ${obj.metadata.name} ${obj.data ? obj.data.k : ''}`),
    () => {});

  const created = await core.createNamespacedConfigMap({
    namespace, body: { metadata: { name: 'cm1', labels: { a: 'b' } }, data: { k: 'v1' } } });
  ok(created.metadata.uid && created.metadata.resourceVersion, 'create returns uid and resourceVersion');

  const got = await core.readNamespacedConfigMap({ name: 'cm1', namespace });
  ok(got.data.k === 'v1', 'read back the data', JSON.stringify(got));

  got.data.k = 'v2';
  const replaced = await core.replaceNamespacedConfigMap({ name: 'cm1', namespace, body: got });
  ok(replaced.data.k === 'v2' &&
     Number(replaced.metadata.resourceVersion) > Number(created.metadata.resourceVersion),
     'replace bumps the resourceVersion');

  const list = await core.listNamespacedConfigMap({ namespace, labelSelector: 'a=b' });
  ok(list.items.length === 1 && list.items[0].metadata.name === 'cm1', 'list with a label selector',
     JSON.stringify(list));

  // a stale update is a Conflict with a Status body
  try {
    await core.replaceNamespacedConfigMap({ name: 'cm1', namespace, body: created });
    ok(false, 'a stale replace is refused');
  } catch (e) {
    ok(e.code === 409, 'a stale replace is a 409 Conflict', e);
    const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
    ok(body && body.kind === 'Status' && body.reason === 'Conflict', 'with a Status, reason Conflict', e.body);
  }

  try {
    await core.readNamespacedConfigMap({ name: 'nothere', namespace });
    ok(false, 'a missing object is refused');
  } catch (e) {
    ok(e.code === 404, 'a missing object is a 404', e);
  }

  const dep = await apps.createNamespacedDeployment({ namespace, body: {
    metadata: { name: 'web' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } },
            template: { metadata: { labels: { app: 'web' } },
                        spec: { containers: [{ name: 'web', image: 'busybox:1.36' }] } } } } });
  ok(dep.spec.strategy.type === 'RollingUpdate' && dep.spec.template.spec.restartPolicy === 'Always',
     'the server applies the defaults', JSON.stringify(dep.spec));

  await core.deleteNamespacedConfigMap({ name: 'cm1', namespace });
  ok(true, 'delete');

  // give the watch a moment to see everything
  for (let i = 0; i < 50 && events.length < 3; i++) await new Promise(r => setTimeout(r, 100));
  req.abort();
  ok(events.join('|') === 'ADDED cm1 v1|MODIFIED cm1 v2|DELETED cm1 v2',
     'the watch saw ADDED, MODIFIED, DELETED in order', events.join('|'));
} catch (e) {
  ok(false, 'unexpected error', e && (e.body || e.stack || e));
}
console.log(`1..${n}`);
process.exit(0);
