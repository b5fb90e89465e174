//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// testKVEvents applies the precise prefix-cache example whose picker
// configuration is a ConfigMap (scheduler.config.ref), with the ConfigMap
// its required.yaml holds: Crossplane reads it for the function, and its
// legacy precise-prefix-cache-scorer composes every piece precise routing
// needs, each accepted by the API server: the tokenizer's Deployment and
// Service, the picker's Service with the ZMQ port vLLM publishes to, and
// vLLM's --kv-events-config with the scorer's block size. An edit of the
// ConfigMap reaches vLLM's flags: the function reads it again on every
// call.
func (e *env) testKVEvents(t *testing.T) {
	ctx := context.Background()
	ex := e.example(t, "precise-prefix-cache-ref")
	xr := e.exampleXR(t, ex.Name)
	e.ensureNamespace(t, xr.GetNamespace())
	objs, err := readObjects(ex.Required)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].GetKind() != "ConfigMap" {
		t.Fatalf("%s: want the picker's ConfigMap alone, got %d objects", ex.Required, len(objs))
	}
	cm := objs[0]
	if _, err := e.apply(ctx, cm); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.remove(context.Background(), configMapGVK, cm.GetNamespace(), cm.GetName()); err != nil {
			t.Errorf("cannot delete ConfigMap %s: %v", key(cm.GetNamespace(), cm.GetName()), err)
		}
	})
	got := e.applyAndWaitListed(t, xr, map[string]schema.GroupVersionKind{
		"tokenizer-deployment": deploymentGVK,
		"tokenizer-service":    serviceGVK,
		"scheduler-service":    serviceGVK,
		"scheduler-config":     configMapGVK,
		"workload-deployment":  deploymentGVK,
	})
	if !servicePorts(got["scheduler-service"])[5557] {
		t.Errorf("picker Service %s exposes %v, want the ZMQ port 5557", got["scheduler-service"].GetName(), servicePorts(got["scheduler-service"]))
	}
	if !servicePorts(got["tokenizer-service"])[8000] {
		t.Errorf("tokenizer Service %s exposes %v, want 8000", got["tokenizer-service"].GetName(), servicePorts(got["tokenizer-service"]))
	}
	text, _, _ := unstructured.NestedString(got["scheduler-config"].Object, "data", "config.yaml")
	if want := "url: http://" + got["tokenizer-service"].GetName() + "."; !strings.Contains(text, "type: token-producer") || !strings.Contains(text, want) {
		t.Errorf("the picker's configuration does not send token-producer to the tokenizer (%q):\n%s", want, text)
	}
	if a := strings.Join(mainArgs(got["workload-deployment"]), " "); !strings.Contains(a, "--kv-events-config") || !strings.Contains(a, "--block-size 16") {
		t.Errorf("vLLM's args lack the KV events of the picker's configuration: %s", a)
	}

	// The platform raises the block size in its ConfigMap.
	data, _, _ := unstructured.NestedStringMap(cm.Object, "data")
	data["epp"] = strings.Replace(data["epp"], "blockSize: 16", "blockSize: 64", 1)
	if err := unstructured.SetNestedStringMap(cm.Object, data, "data"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.apply(ctx, cm); err != nil {
		t.Fatal(err)
	}
	d := got["workload-deployment"]
	e.eventually(t, 3*time.Minute, "vLLM's block size following the ConfigMap", func(ctx context.Context) (bool, string, error) {
		now, err := e.get(ctx, deploymentGVK, d.GetNamespace(), d.GetName())
		if err != nil || now == nil {
			return false, "no Deployment", err
		}
		a := strings.Join(mainArgs(now), " ")
		return strings.Contains(a, "--block-size 64"), fmt.Sprintf("args %s", a), nil
	})
}

// servicePorts are the port numbers of a Service.
func servicePorts(svc *unstructured.Unstructured) map[int64]bool {
	out := map[int64]bool{}
	ports, _, _ := unstructured.NestedSlice(svc.Object, "spec", "ports")
	for _, p := range ports {
		m, _ := p.(map[string]any)
		if n, ok := m["port"].(int64); ok {
			out[n] = true
		}
	}
	return out
}

// mainArgs are the args of a Deployment's main container.
func mainArgs(d *unstructured.Unstructured) []string {
	cs, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	i := slices.IndexFunc(cs, func(c any) bool { m, _ := c.(map[string]any); return m["name"] == "main" })
	if i < 0 {
		return nil
	}
	args, _, _ := unstructured.NestedStringSlice(cs[i].(map[string]any), "args")
	return args
}
