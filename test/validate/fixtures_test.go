package validate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// Valid objects of each kind the function composes, shaped like its output.
// Each has a test case of its own that proves it valid, so a failing
// mutation of it fails because of the mutation.

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: llama-3-8b-workload
  namespace: default
  creationTimestamp: null
  labels:
    app.kubernetes.io/name: llama-3-8b
    app.kubernetes.io/part-of: llminferenceservice
  annotations:
    crossplane.io/composition-resource-name: workload-deployment
spec:
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: llama-3-8b
      kserve.io/component: workload
  strategy: {}
  template:
    metadata:
      creationTimestamp: null
      labels:
        app.kubernetes.io/name: llama-3-8b
        kserve.io/component: workload
    spec:
      containers:
      - name: main
        image: vllm/vllm-openai:v0.11.0
        imagePullPolicy: IfNotPresent
        command: [vllm, serve]
        args: [/mnt/models, --port, "8000"]
        env:
        - name: HOME
          value: /home
        ports:
        - containerPort: 8000
          name: http
          protocol: TCP
        readinessProbe:
          httpGet:
            path: /v1/models
            port: http
        livenessProbe:
          httpGet:
            path: /health
            port: 8000
        resources:
          limits:
            cpu: "8"
            memory: 32Gi
            nvidia.com/gpu: 1
          requests:
            cpu: 500m
        volumeMounts:
        - mountPath: /dev/shm
          name: dshm
      volumes:
      - name: dshm
        emptyDir:
          medium: Memory
          sizeLimit: 8Gi
status: {}
`

const service = `
apiVersion: v1
kind: Service
metadata:
  name: llama-3-8b-workload
  namespace: default
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: llama-3-8b
  ports:
  - name: http
    appProtocol: http
    port: 8000
    protocol: TCP
    targetPort: http
`

const serviceAccount = `
apiVersion: v1
kind: ServiceAccount
metadata:
  name: llama-3-8b-epp
  namespace: default
`

const configMap = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: llama-3-8b-epp-config
  namespace: default
data:
  config.yaml: |
    apiVersion: inference.networking.x-k8s.io/v1alpha1
    kind: EndpointPickerConfig
`

const role = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: llama-3-8b-epp
  namespace: default
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
- apiGroups: [inference.networking.k8s.io]
  resources: [inferencepools]
  verbs: [get, list, watch]
`

const roleBinding = `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: llama-3-8b-epp
  namespace: default
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: llama-3-8b-epp
subjects:
- kind: ServiceAccount
  name: llama-3-8b-epp
  namespace: default
`

const clusterRole = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: llama-3-8b:epp-metrics
rules:
- nonResourceURLs: [/metrics]
  verbs: [get]
`

const leaderWorkerSet = `
apiVersion: leaderworkerset.x-k8s.io/v1
kind: LeaderWorkerSet
metadata:
  name: llama-3-70b
  namespace: default
spec:
  replicas: 1
  leaderWorkerTemplate:
    size: 2
    restartPolicy: RecreateGroupOnPodRestart
    leaderTemplate:
      metadata:
        labels:
          role: leader
      spec:
        containers:
        - name: main
          image: vllm/vllm-openai:v0.11.0
          args: [--tensor-parallel-size, "8", --pipeline-parallel-size, "2"]
          ports:
          - containerPort: 8000
          resources:
            limits:
              nvidia.com/gpu: "8"
    workerTemplate:
      metadata:
        labels:
          role: worker
      spec:
        containers:
        - name: main
          image: vllm/vllm-openai:v0.11.0
          resources:
            limits:
              nvidia.com/gpu: "8"
`

const gateway = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: llama-3-8b
  namespace: default
spec:
  gatewayClassName: istio
  listeners:
  - name: http
    port: 80
    protocol: HTTP
    allowedRoutes:
      namespaces:
        from: Same
`

const httpRoute = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: llama-3-8b
  namespace: default
spec:
  parentRefs:
  - name: llama-3-8b
  rules:
  - matches:
    - path:
        type: PathPrefix
        value: /v1
    backendRefs:
    - name: llama-3-8b-workload
      port: 8000
    timeouts:
      request: 300s
      backendRequest: 60s
`

const httpRouteToInferencePool = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: llama-3-8b-pool
  namespace: default
spec:
  parentRefs:
  - group: gateway.networking.k8s.io
    kind: Gateway
    name: llama-3-8b
  rules:
  - backendRefs:
    - group: inference.networking.k8s.io
      kind: InferencePool
      name: llama-3-8b
      port: 8000
`

const inferencePool = `
apiVersion: inference.networking.k8s.io/v1
kind: InferencePool
metadata:
  name: llama-3-8b
  namespace: default
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: llama-3-8b
  targetPorts:
  - number: 8000
  endpointPickerRef:
    name: llama-3-8b-epp
    port:
      number: 9002
`

const environmentConfig = `
apiVersion: apiextensions.crossplane.io/v1beta1
kind: EnvironmentConfig
metadata:
  name: llm-defaults
data:
  vllmImage: vllm/vllm-openai:v0.11.0
  gpus: 1
`

const destinationRule = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: llama-3-8b-epp
  namespace: default
spec:
  host: llama-3-8b-epp.default.svc.cluster.local
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 256000
        connectTimeout: 900s
        maxConnectionDuration: 1800s
      http:
        http1MaxPendingRequests: 256000
        http2MaxRequests: 256000
        maxRequestsPerConnection: 256000
        idleTimeout: 900s
    tls:
      mode: SIMPLE
      insecureSkipVerify: true
`

const healthCheckPolicy = `
apiVersion: networking.gke.io/v1
kind: HealthCheckPolicy
metadata:
  name: llama-3-8b-inference-pool
  namespace: default
spec:
  targetRef:
    group: inference.networking.k8s.io
    kind: InferencePool
    name: llama-3-8b-inference-pool
  default:
    timeoutSec: 2
    checkIntervalSec: 2
    config:
      type: HTTP
      httpHealthCheck:
        requestPath: /health
        port: 8000
`

const gcpBackendPolicy = `
apiVersion: networking.gke.io/v1
kind: GCPBackendPolicy
metadata:
  name: llama-3-8b-inference-pool
  namespace: default
spec:
  targetRef:
    group: inference.networking.k8s.io
    kind: InferencePool
    name: llama-3-8b-inference-pool
  default:
    timeoutSec: 300
    logging:
      enabled: true
`

const inferenceObjective = `
apiVersion: llm-d.ai/v1alpha2
kind: InferenceObjective
metadata:
  name: llama-3-8b-objective
  namespace: default
spec:
  priority: 1
  poolRef:
    name: p
`

// obj parses a YAML fixture and applies mutations to it.
func obj(t *testing.T, fixture string, mutations ...mutation) map[string]any {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(fixture))
	if err != nil {
		t.Fatalf("cannot parse fixture: %v", err)
	}
	m := map[string]any{}
	if err := utiljson.Unmarshal(j, &m); err != nil {
		t.Fatalf("cannot parse fixture: %v", err)
	}
	for _, mu := range mutations {
		if err := mu(m); err != nil {
			t.Fatalf("cannot mutate fixture: %v", err)
		}
	}
	return m
}

// A mutation changes a parsed fixture.
type mutation func(m map[string]any) error

// set sets the field at a path like spec.template.spec.containers[0].name,
// creating missing objects on the way.
func set(path string, v any) mutation {
	return func(m map[string]any) error {
		parent, last, err := walk(m, path, true)
		if err != nil {
			return err
		}
		return last.set(parent, v)
	}
}

// unset deletes the field at a path.
func unset(path string) mutation {
	return func(m map[string]any) error {
		parent, last, err := walk(m, path, false)
		if err != nil {
			return err
		}
		obj, ok := parent.(map[string]any)
		if !ok || last.key == "" {
			return fmt.Errorf("%s: can only delete object fields", path)
		}
		if _, ok := obj[last.key]; !ok {
			return fmt.Errorf("%s: no such field", path)
		}
		delete(obj, last.key)
		return nil
	}
}

// rename moves the field at a path to a sibling field named to.
func rename(path, to string) mutation {
	return func(m map[string]any) error {
		parent, last, err := walk(m, path, false)
		if err != nil {
			return err
		}
		obj, ok := parent.(map[string]any)
		if !ok || last.key == "" {
			return fmt.Errorf("%s: can only rename object fields", path)
		}
		v, ok := obj[last.key]
		if !ok {
			return fmt.Errorf("%s: no such field", path)
		}
		delete(obj, last.key)
		obj[to] = v
		return nil
	}
}

// step is one element of a path: an object key, or an array index.
type step struct {
	key   string
	index int
}

func (s step) get(parent any, create bool) (any, error) {
	if s.key == "" {
		arr, ok := parent.([]any)
		if !ok || s.index >= len(arr) {
			return nil, fmt.Errorf("no index %d", s.index)
		}
		return arr[s.index], nil
	}
	obj, ok := parent.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%q is not in an object", s.key)
	}
	v, ok := obj[s.key]
	if !ok && create {
		v = map[string]any{}
		obj[s.key] = v
	}
	if !ok && !create {
		return nil, fmt.Errorf("no field %q", s.key)
	}
	return v, nil
}

func (s step) set(parent, v any) error {
	if s.key == "" {
		arr, ok := parent.([]any)
		if !ok || s.index >= len(arr) {
			return fmt.Errorf("no index %d", s.index)
		}
		arr[s.index] = v
		return nil
	}
	obj, ok := parent.(map[string]any)
	if !ok {
		return fmt.Errorf("%q is not in an object", s.key)
	}
	obj[s.key] = v
	return nil
}

var indexRE = regexp.MustCompile(`^([^\[]*)((?:\[\d+\])*)$`)

func parsePath(path string) ([]step, error) {
	var steps []step
	for _, part := range splitPath(path) {
		g := indexRE.FindStringSubmatch(part)
		if g == nil {
			return nil, fmt.Errorf("bad path element %q", part)
		}
		if g[1] != "" {
			steps = append(steps, step{key: g[1]})
		}
		for _, idx := range strings.Split(strings.Trim(g[2], "[]"), "][") {
			if idx == "" {
				continue
			}
			i, err := strconv.Atoi(idx)
			if err != nil {
				return nil, err
			}
			steps = append(steps, step{index: i})
		}
	}
	return steps, nil
}

// splitPath splits a path at dots, except escaped ones ("labels.a\\.b/c").
func splitPath(path string) []string {
	var parts []string
	cur := strings.Builder{}
	for i := 0; i < len(path); i++ {
		switch {
		case path[i] == '\\' && i+1 < len(path) && path[i+1] == '.':
			cur.WriteByte('.')
			i++
		case path[i] == '.':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(path[i])
		}
	}
	return append(parts, cur.String())
}

// walk returns the parent of the last element of path, and that element.
func walk(m map[string]any, path string, create bool) (any, step, error) {
	steps, err := parsePath(path)
	if err != nil {
		return nil, step{}, err
	}
	var cur any = m
	for _, s := range steps[:len(steps)-1] {
		if cur, err = s.get(cur, create); err != nil {
			return nil, step{}, fmt.Errorf("%s: %w", path, err)
		}
	}
	return cur, steps[len(steps)-1], nil
}

const podMonitor = `
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata:
  name: llama-epp-metrics
  namespace: default
  labels:
    release: prometheus
spec:
  selector:
    matchLabels:
      app.kubernetes.io/component: llminferenceservice-router-scheduler
  podTargetLabels: [app.kubernetes.io/name]
  podMetricsEndpoints:
  - port: metrics
    path: /metrics
    authorization:
      type: Bearer
      credentials:
        name: llama-epp-metrics-token
        key: token
`

const resourceClaimTemplate = `
apiVersion: resource.k8s.io/v1
kind: ResourceClaimTemplate
metadata:
  name: llama-managed-dra-0123abcd
  namespace: default
spec:
  spec:
    devices:
      requests:
      - name: device
        exactly:
          deviceClassName: gpu.nvidia.com
          count: 2
          selectors:
          - cel:
              expression: device.driver == "gpu.nvidia.com"
`
