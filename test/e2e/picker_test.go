//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// The endpoint picker that runs here is the Gateway API Inference
// Extension's (GIE v1.3.0, cmd/epp; tools/controlplane/gie-picker), not the
// llm-d picker the function deploys, whose Go module the module proxy does
// not serve. GIE's picker has since moved into llm-d's router, and this
// release of it takes every flag the function passes, watches the
// InferencePool and its pods, scrapes the same vLLM metrics and has the
// same single-profile scheduling plugins. Two differences matter here:
//   - GIE v1.3.0 reads an EndpointPickerConfig only in the group
//     inference.networking.x-k8s.io, which llm-d's picker still reads as a
//     deprecated alias of llm-d.ai; so the test rewrites the config's
//     apiVersion line, and nothing else, before the picker reads it
//     (forGIEPicker);
//   - it has no prefill/decode plugins, so only a single-profile
//     configuration, the default one, can run here.
const (
	// composedConfigAPIVersion is the apiVersion the function writes
	// EndpointPickerConfigs in, for llm-d's picker.
	composedConfigAPIVersion = "llm-d.ai/v1alpha1"
	// gieConfigAPIVersion is the only one GIE v1.3.0's picker reads.
	gieConfigAPIVersion = "inference.networking.x-k8s.io/v1alpha1"
)

// pickerPortFlags are the picker's flags that make it listen, with GIE's
// defaults (pkg/epp/server/options.go). Every process of the test shares
// the machine's loopback, and other engineers' tests may run beside it, so
// each picker listens on free ports instead: the composed value (or the
// default) is what the rest of the composition refers to, the free port is
// where this process serves it. pflag takes the last of repeated flags.
var pickerPortFlags = []struct {
	flag string
	def  int32
}{
	{"grpc-port", 9002},
	{"grpc-health-port", 9003},
	{"metrics-port", 9090},
}

// A picker is GIE's endpoint picker run as the process of one pod of the
// composed picker Deployment.
type picker struct {
	*process
	// ports maps each port the composed picker listens on to the
	// loopback port this process listens on instead.
	ports map[int32]int
	// health is the gRPC health service its readiness probe asks for.
	health     string
	healthPort int32
}

// A pickerRun is what one picker process is started from: the composed
// Deployment (its container's args and env, its config volume), the
// composed ConfigMap, the pod it runs as, and the service account token it
// authenticates with.
type pickerRun struct {
	name       string
	deployment *appsv1.Deployment
	config     *corev1.ConfigMap
	pod        *corev1.Pod
	token      string
}

// startPicker runs the picker as the composed Deployment's container would
// run in pod: its args, its env (fieldRefs resolved against the pod), its
// config volume written to disk from the composed ConfigMap, and the API
// server reached with the given token, as the projected service account
// token a pod gets. Only the ports it listens on and the config's
// apiVersion are changed (see pickerPortFlags and forGIEPicker). It stops
// when the test ends.
func (e *env) startPicker(t *testing.T, r pickerRun) *picker {
	t.Helper()
	spec := r.deployment.Spec.Template.Spec
	if len(spec.Containers) != 1 {
		t.Fatalf("Deployment %s has %d containers; the test runs the picker as its only one", r.deployment.Name, len(spec.Containers))
	}
	c := spec.Containers[0]
	dir := filepath.Join(e.dir, r.name)
	mounts, err := writeConfigMounts(dir, spec.Volumes, c.VolumeMounts, r.config)
	if err != nil {
		t.Fatal(err)
	}
	args := make([]string, 0, len(c.Args)+len(pickerPortFlags))
	for _, a := range c.Args {
		args = append(args, localPath(a, mounts))
	}
	p := &picker{ports: map[int32]int{}}
	for _, f := range pickerPortFlags {
		composed := f.def
		if v, ok := flagValue(c.Args, f.flag); ok {
			n, err := strconv.ParseInt(v, 10, 32)
			if err != nil {
				t.Fatalf("the picker's --%s=%s is not a port: %v", f.flag, v, err)
			}
			composed = int32(n)
		}
		local := freePort(t)
		p.ports[composed] = local
		args = append(args, fmt.Sprintf("--%s=%d", f.flag, local))
	}
	probe := c.ReadinessProbe
	if probe == nil || probe.GRPC == nil {
		t.Fatalf("the picker container %s has no gRPC readiness probe", c.Name)
	}
	p.healthPort = probe.GRPC.Port
	if probe.GRPC.Service != nil {
		p.health = *probe.GRPC.Service
	}
	if _, ok := p.ports[p.healthPort]; !ok {
		t.Fatalf("the picker's readiness probe asks port %d, where it does not listen (it listens on %v)", p.healthPort, p.ports)
	}

	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := writeKubeconfig(kubeconfig, e.server, e.caPEM, r.token); err != nil {
		t.Fatal(err)
	}
	env, err := containerEnv(c, r.pod)
	if err != nil {
		t.Fatal(err)
	}
	env = append(env, "KUBECONFIG="+kubeconfig)
	p.process = start(t, e.dir, r.name, e.pickerBin, env, args...)
	return p
}

// addr is where the process serves what the composed picker serves on port.
func (p *picker) addr(port int32) (string, error) {
	local, ok := p.ports[port]
	if !ok {
		return "", fmt.Errorf("the picker listens on no port %d (it listens on %v)", port, p.ports)
	}
	return fmt.Sprintf("127.0.0.1:%d", local), nil
}

// serving asks the picker's gRPC health service what its readiness probe
// asks: SERVING once it has read its InferencePool.
func (p *picker) serving(ctx context.Context) (bool, string, error) {
	if err := p.exited(); err != nil {
		return false, "", err
	}
	addr, err := p.addr(p.healthPort)
	if err != nil {
		return false, "", err
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return false, "", err
	}
	defer conn.Close() //nolint:errcheck // a probe's connection.
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	rsp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: p.health})
	if err != nil {
		return false, "health check: " + err.Error(), nil
	}
	return rsp.GetStatus() == healthpb.HealthCheckResponse_SERVING, "health: " + rsp.GetStatus().String(), nil
}

// waitServing waits until the picker's readiness probe would pass.
func (e *env) waitServing(t *testing.T, p *picker) {
	t.Helper()
	e.eventually(t, 2*time.Minute, "the picker "+p.name+" serving", func(ctx context.Context) (bool, string, error) {
		ok, state, err := p.serving(ctx)
		if err != nil {
			return false, "", fmt.Errorf("%w\n%s", err, p.tail(logLines))
		}
		return ok, state + "\n" + p.tail(10), nil
	})
}

// writeConfigMounts writes the keys of the ConfigMap cm, for each volume
// mount of a volume from it, into a directory under dir, and returns the
// local directory of each mount path. The picker's config is rewritten
// for GIE's picker (forGIEPicker). Mounts of other volumes (an emptyDir
// for /tmp) are left out: the picker writes nothing there.
func writeConfigMounts(dir string, volumes []corev1.Volume, mounts []corev1.VolumeMount, cm *corev1.ConfigMap) (map[string]string, error) {
	out := map[string]string{}
	for i, m := range mounts {
		idx := slices.IndexFunc(volumes, func(v corev1.Volume) bool { return v.Name == m.Name })
		if idx < 0 {
			return nil, fmt.Errorf("volume mount %s names no volume", m.Name)
		}
		v := volumes[idx]
		if v.ConfigMap == nil {
			continue
		}
		if v.ConfigMap.Name != cm.Name {
			return nil, fmt.Errorf("volume %s is ConfigMap %s, not the composed %s", v.Name, v.ConfigMap.Name, cm.Name)
		}
		local := filepath.Join(dir, fmt.Sprintf("mount-%d", i))
		if err := os.MkdirAll(local, 0o700); err != nil {
			return nil, err
		}
		for _, k := range sortedKeys(cm.Data) {
			data, err := forGIEPicker(cm.Data[k])
			if err != nil {
				return nil, fmt.Errorf("ConfigMap %s key %s: %w", cm.Name, k, err)
			}
			if err := os.WriteFile(filepath.Join(local, k), []byte(data), 0o600); err != nil {
				return nil, err
			}
		}
		out[m.MountPath] = local
	}
	return out, nil
}

// forGIEPicker returns an EndpointPickerConfig as GIE v1.3.0's picker reads
// it: the function's apiVersion line replaced by GIE's group, every other
// byte as composed. Its decoder is strict, so the plugins, their
// parameters and the profiles are checked as composed. Anything that is
// not an EndpointPickerConfig is returned unchanged.
func forGIEPicker(config string) (string, error) {
	lines := strings.Split(config, "\n")
	if !slices.Contains(lines, "kind: EndpointPickerConfig") {
		return config, nil
	}
	for i, l := range lines {
		v, ok := strings.CutPrefix(l, "apiVersion:")
		if !ok {
			continue
		}
		switch v = strings.TrimSpace(v); v {
		case composedConfigAPIVersion:
			lines[i] = "apiVersion: " + gieConfigAPIVersion
			return strings.Join(lines, "\n"), nil
		case gieConfigAPIVersion:
			return config, nil
		default:
			return "", fmt.Errorf("EndpointPickerConfig apiVersion %q: the test knows how to run %s and %s only", v, composedConfigAPIVersion, gieConfigAPIVersion)
		}
	}
	return "", fmt.Errorf("an EndpointPickerConfig without a top-level apiVersion:\n%s", config)
}

// localPath rewrites a path under one of the mounts in arg (a flag's
// value, or an argument of its own) to the mount's local directory.
func localPath(arg string, mounts map[string]string) string {
	for _, mountPath := range sortedKeys(mounts) {
		prefix := strings.TrimSuffix(mountPath, "/") + "/"
		name, value, isFlag := strings.Cut(arg, "=")
		if isFlag && strings.HasPrefix(value, prefix) {
			return name + "=" + filepath.Join(mounts[mountPath], strings.TrimPrefix(value, prefix))
		}
		if strings.HasPrefix(arg, prefix) {
			return filepath.Join(mounts[mountPath], strings.TrimPrefix(arg, prefix))
		}
	}
	return arg
}

// flagValue returns the value of --name in args, given as --name=v or
// --name v; the last one counts, as for pflag.
func flagValue(args []string, name string) (string, bool) {
	var v string
	found := false
	for i, a := range args {
		if rest, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			v, found = rest, true
		} else if a == "--"+name && i+1 < len(args) {
			v, found = args[i+1], true
		}
	}
	return v, found
}

// containerEnv is the environment the kubelet gives container c in pod:
// literal values, and the pod's own fields for fieldRefs. Anything else
// (secrets, ConfigMap keys) the picker is not composed with, so the test
// refuses it rather than guess.
func containerEnv(c corev1.Container, pod *corev1.Pod) ([]string, error) {
	var out []string
	for _, ev := range c.Env {
		switch {
		case ev.ValueFrom == nil:
			out = append(out, ev.Name+"="+ev.Value)
		case ev.ValueFrom.FieldRef != nil:
			var v string
			switch ev.ValueFrom.FieldRef.FieldPath {
			case "metadata.name":
				v = pod.Name
			case "metadata.namespace":
				v = pod.Namespace
			case "spec.serviceAccountName":
				v = pod.Spec.ServiceAccountName
			default:
				return nil, fmt.Errorf("env %s: the test cannot resolve fieldRef %s", ev.Name, ev.ValueFrom.FieldRef.FieldPath)
			}
			out = append(out, ev.Name+"="+v)
		default:
			return nil, fmt.Errorf("env %s: the test resolves only values and fieldRefs", ev.Name)
		}
	}
	return out, nil
}
