package spec

import (
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// validatePickerPlugins checks what the picker's configuration asks of the
// rest of the service: a ConfigMap's text the function can read, and, when
// the picker routes on vLLM's KV events, settings vLLM can be given. The
// configuration is the one source of the block size and hash seed; a vLLM
// flag of the user's that disagrees is refused, since vLLM would then
// publish blocks the picker never matches, and nothing would say so.
func validatePickerPlugins(svc *Service) field.ErrorList {
	if !svc.Spec.ManagedScheduler() {
		return nil
	}
	c, err := svc.PickerConfig()
	if err != nil {
		// An inline configuration is validatePickerConfigInline's.
		if ref := svc.Spec.Router.Scheduler.Config.Ref; ref != nil {
			return field.ErrorList{field.Invalid(field.NewPath("spec", "router", "scheduler", "config", "ref"), ref.Name,
				"the ConfigMap's key does not hold an EndpointPickerConfig object: "+err.Error()+"; write the configuration as YAML in the key")}
		}
		return nil
	}
	kv := svc.KVEvents()
	if kv == nil {
		return nil
	}
	errs := validateKVEventsPlugins(c, kv)
	for _, w := range svc.workloads() {
		for _, pod := range []struct {
			spec *corev1.PodSpec
			p    *field.Path
		}{{w.spec.Template, w.p.Child("template")}, {w.spec.Worker, w.p.Child("worker")}} {
			if pod.spec == nil {
				continue
			}
			if main := wiring.Container(pod.spec, wiring.MainContainer); main != nil {
				errs = append(errs, validateKVEventsFlags(main, kv, pod.p.Child("containers").Key(wiring.MainContainer))...)
			}
		}
	}
	return errs
}

// A workloadAt is a model-server workload and its field.
type workloadAt struct {
	spec *WorkloadSpec
	p    *field.Path
}

// workloads are svc's model-server workloads: main (decode), then prefill.
func (svc *Service) workloads() []workloadAt {
	root := field.NewPath("spec")
	out := []workloadAt{{&svc.Spec.WorkloadSpec, root}}
	if svc.Spec.Prefill != nil {
		out = append(out, workloadAt{svc.Spec.Prefill, root.Child("prefill")})
	}
	return out
}

// validateKVEventsPlugins refuses KV-events plugins that disagree with each
// other, or that subscribe in a way the function does not compose: it
// composes llm-d's central mode, where the picker binds the ZMQ port and
// every vLLM pod publishes to the picker's Service.
func validateKVEventsPlugins(c *PickerConfig, kv *KVEvents) field.ErrorList {
	var errs field.ErrorList
	for _, p := range c.Plugins() {
		tp, _ := p.Parameters["tokenProcessorConfig"].(map[string]any)
		if n, ok := tp["blockSize"]; ok {
			at := c.PluginAt(p.Index, "tokenProcessorConfig", "blockSize")
			v, isNum := n.(json.Number)
			i, err := v.Int64()
			switch {
			case !isNum || err != nil || i < 1:
				errs = append(errs, field.Invalid(field.NewPath(at), n, "must be a whole number of tokens, 1 or more"))
			case i != kv.BlockSize:
				errs = append(errs, field.Invalid(field.NewPath(at), i, fmt.Sprintf(
					"disagrees with %s (%d): vLLM has one block size; set the same value in both", kv.BlockSizeAt, kv.BlockSize)))
			}
		}
		if s, ok := tp["hashSeed"].(string); ok && s != "" && s != kv.HashSeed {
			errs = append(errs, field.Invalid(field.NewPath(c.PluginAt(p.Index, "tokenProcessorConfig", "hashSeed")), s, fmt.Sprintf(
				"disagrees with %s (%q): vLLM has one %s; set the same value in both", kv.HashSeedAt, kv.HashSeed, wiring.EnvPythonHashSeed)))
		}
		ev, _ := p.Parameters["kvEventsConfig"].(map[string]any)
		if d, ok := ev["discoverPods"].(bool); ok && d {
			errs = append(errs, field.Invalid(field.NewPath(c.PluginAt(p.Index, "kvEventsConfig", "discoverPods")), d,
				"the function composes central mode, where the picker binds the ZMQ port and every vLLM pod publishes to the picker's Service: remove discoverPods or set it to false"))
		}
		if e, ok := ev["zmqEndpoint"].(string); ok && zmqPort(e) != strconv.Itoa(wiring.PickerKVEventsPort) {
			errs = append(errs, field.Invalid(field.NewPath(c.PluginAt(p.Index, "kvEventsConfig", "zmqEndpoint")), e, fmt.Sprintf(
				"the picker's Service and vLLM's --kv-events-config use port %d: remove zmqEndpoint or write tcp://*:%d",
				wiring.PickerKVEventsPort, wiring.PickerKVEventsPort)))
		}
	}
	return errs
}

// zmqPort is the port of a ZMQ endpoint such as tcp://*:5557, "" when it
// has none.
func zmqPort(endpoint string) string {
	_, hostPort, ok := strings.Cut(endpoint, "://")
	if !ok {
		return ""
	}
	_, port, err := net.SplitHostPort(hostPort)
	if err != nil {
		return ""
	}
	return port
}

// validateKVEventsFlags refuses vLLM flags and env of the container main
// (at mp) that disagree with the KV-events settings the function gives
// vLLM: the block size, block hash and hash seed are the picker's. A
// --kv-events-config of the user's replaces the function's, as KServe's
// samples write one (often through env the function cannot read).
func validateKVEventsFlags(main *corev1.Container, kv *KVEvents, mp *field.Path) field.ErrorList {
	_, srcs, _ := VLLMFlagSources(main, main.Args, mp) // Unreadable sources are validateModelServerPod's.
	blockFrom := "the default of the picker's KV-events plugins"
	if kv.BlockSizeAt != "" {
		blockFrom = kv.BlockSizeAt
	}
	var errs field.ErrorList
	for i := range srcs {
		for _, a := range wiring.ParseVLLMArgs(srcs[i].Tokens) {
			at := srcs[i].At(a.At)
			switch a.Flag {
			case wiring.FlagBlockSize:
				if v := firstValue(a); v != strconv.FormatInt(kv.BlockSize, 10) {
					errs = append(errs, field.Invalid(at, a.Written(), fmt.Sprintf(
						"vLLM's block size must equal the picker's, %d from %s: remove the flag (the function passes it) or set the same value in both",
						kv.BlockSize, blockFrom)))
				}
			case wiring.FlagPrefixCachingHashAlgo:
				if v := firstValue(a); v != wiring.KVEventsHashAlgo {
					errs = append(errs, field.Invalid(at, a.Written(), fmt.Sprintf(
						"the picker's KV-cache index hashes blocks with %s: remove the flag (the function passes it)", wiring.KVEventsHashAlgo)))
				}
			}
		}
	}
	for _, e := range main.Env {
		if e.Name == wiring.EnvPythonHashSeed && kv.HashSeed != "" && (e.ValueFrom != nil || e.Value != kv.HashSeed) {
			errs = append(errs, field.Invalid(mp.Child("env").Key(e.Name), e.Value, fmt.Sprintf(
				"must equal %s (%q), which the function passes: remove it", kv.HashSeedAt, kv.HashSeed)))
		}
	}
	return errs
}
