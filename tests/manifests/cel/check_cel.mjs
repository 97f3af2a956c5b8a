// Optional developer check (not run by ctest): evaluates the CEL in the webhook
// configurations' matchConditions and in the floor ValidatingAdmissionPolicy against
// sample requests, with an independent CEL implementation (cel-js; the apiserver uses
// cel-go). Run it after editing any expression:
//
//   npm install --prefix /tmp/cel @marcbachmann/cel-js@8
//   NODE_PATH=/tmp/cel/node_modules node tests/manifests/cel/check_cel.mjs
//
// Needs kubectl and python3-yaml, like test_manifests. Exits 1 on the first mismatch.
import {createRequire} from 'module'
import {execSync} from 'child_process'
import path from 'path'
import {fileURLToPath} from 'url'

const require = createRequire(import.meta.url)
const {evaluate} = await import(require.resolve('@marcbachmann/cel-js'))
const manifests = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../manifests')
const render = (dir) => JSON.parse(execSync(
  `kubectl kustomize ${manifests}/${dir} | python3 -c 'import sys,json,yaml; ` +
  `json.dump([d for d in yaml.safe_load_all(sys.stdin) if d], sys.stdout)'`).toString())

const base = render('base')
const vap = render('floor').find(d => d.kind === 'ValidatingAdmissionPolicy').spec
const condition = (kind) => base.find(d => d.kind === kind).webhooks[0].matchConditions[0].expression
const validating = condition('ValidatingWebhookConfiguration')
const mutating = condition('MutatingWebhookConfiguration')

const pod = (spec, metadata = {}) => ({apiVersion: 'v1', kind: 'Pod', metadata: {name: 'p', ...metadata}, spec})
const ctr = (x = {}) => ({name: 'c', image: 'i', ...x})
const mig = {resources: {limits: {'nvidia.com/mig-1g.10gb': '1'}}}
const env = (name, value) => ({env: [value === undefined ? {name, valueFrom: {fieldRef: {fieldPath: 'x'}}} : {name, value}]})

function floor(object) {
  const variables = {}
  const ctx = {object, oldObject: null, request: {operation: 'CREATE'}, variables}
  for (const v of vap.variables) variables[v.name] = evaluate(v.expression, ctx)
  return vap.validations.every(v => evaluate(v.expression, ctx)) ? 'allow' : 'deny'
}

// [name, pod, validating webhook called?, mutating webhook called?, floor verdict]
const cases = [
  ['plain pod', pod({containers: [ctr()]}), false, true, 'allow'],
  ['MIG limit', pod({containers: [ctr(mig)]}), true, true, 'allow'],
  ['GPU request only', pod({containers: [ctr({resources: {requests: {'nvidia.com/gpu': '1'}}})]}), true, true, 'allow'],
  ['cpu limit', pod({containers: [ctr({resources: {limits: {cpu: '1'}}})]}), false, true, 'allow'],
  ['void, no GPU', pod({containers: [ctr(env('NVIDIA_VISIBLE_DEVICES', 'void'))]}), false, true, 'allow'],
  ['all, no GPU', pod({containers: [ctr(env('NVIDIA_VISIBLE_DEVICES', 'all'))]}), true, true, 'deny'],
  ['CUDA_VISIBLE_DEVICES in init', pod({initContainers: [ctr(env('CUDA_VISIBLE_DEVICES', '0'))], containers: [ctr({name: 'x'})]}), true, true, 'deny'],
  ['valueFrom', pod({containers: [ctr(env('NVIDIA_VISIBLE_DEVICES'))]}), true, true, 'deny'],
  ['void in GPU container', pod({containers: [ctr({...mig, ...env('NVIDIA_VISIBLE_DEVICES', 'void')})]}), true, true, 'deny'],
  ['ephemeral all', pod({containers: [ctr()], ephemeralContainers: [ctr({name: 'dbg', ...env('NVIDIA_VISIBLE_DEVICES', 'all')})]}), true, true, 'deny'],
  ['hostPath /dev/nvidia0', pod({containers: [ctr()], volumes: [{name: 'd', hostPath: {path: '/dev/nvidia0'}}]}), true, true, 'deny'],
  ['hostPath /', pod({containers: [ctr()], volumes: [{name: 'd', hostPath: {path: '/'}}]}), true, true, 'deny'],
  ['hostPath /var/log', pod({containers: [ctr()], volumes: [{name: 'd', hostPath: {path: '/var/log'}}, {name: 'e', emptyDir: {}}]}), false, true, 'allow'],
  ['privileged sidecar in GPU pod', pod({containers: [ctr(mig), ctr({name: 's', securityContext: {privileged: true}})]}), true, true, 'deny'],
  ['privileged, no GPU', pod({containers: [ctr({securityContext: {privileged: true}})]}), false, true, 'allow'],
  ['mirror pod', pod({containers: [ctr()]}, {annotations: {'kubernetes.io/config.mirror': 'x'}}), false, false, 'allow'],
]

let failures = 0
const expect = (what, got, want) => {
  if (got !== want) { console.error(`FAIL ${what}: got ${got}, want ${want}`); failures++ }
}
for (const [name, object, v, m, f] of cases) {
  const create = {request: {operation: 'CREATE', subResource: ''}, object, oldObject: null}
  expect(`${name}: validating`, evaluate(validating, create), v)
  expect(`${name}: mutating`, evaluate(mutating, create), m)
  expect(`${name}: floor`, floor(object), f)
}
const del = (object) => ({request: {operation: 'DELETE', subResource: ''}, object: null, oldObject: object})
expect('DELETE of a GPU pod', evaluate(validating, del(cases[1][1])), true)
expect('DELETE of a plain pod', evaluate(validating, del(cases[0][1])), false)
const binding = {kind: 'Binding', metadata: {name: 'p'}, target: {kind: 'Node', name: 'n'}}
expect('binding', evaluate(validating, {request: {operation: 'CREATE', subResource: 'binding'}, object: binding, oldObject: null}), true)
expect('ephemeral UPDATE', evaluate(validating, {request: {operation: 'UPDATE', subResource: 'ephemeralcontainers'}, object: cases[9][1], oldObject: cases[0][1]}), true)
console.log(failures ? `${failures} mismatches` : `all ${cases.length * 3 + 4} CEL expectations hold`)
process.exit(failures ? 1 : 0)
