package compose

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// kvEventsArgs are the vLLM flags that publish KV-cache events to the
// picker when its configuration routes on them (llm-d's central mode: the
// picker binds, every vLLM pod of both roles connects), with the block
// size and hash the picker's index computes; none otherwise. The topic
// names the pod by its IP and the pool's target port, which is how the
// picker knows the pod, on decode pods behind the routing sidecar too.
func (b *builder) kvEventsArgs() []string {
	kv := b.svc.KVEvents()
	if kv == nil {
		return nil
	}
	endpoint := fmt.Sprintf("tcp://%s.%s.svc.cluster.local:%d", pickerName(b.svc.Name), b.svc.Namespace, wiring.PickerKVEventsPort)
	return []string{
		wiring.FlagKVEventsConfig, wiring.KVEventsConfig(endpoint, wiring.ModelServerPort, b.svc.ServedModelName()),
		wiring.FlagBlockSize, strconv.FormatInt(kv.BlockSize, 10),
		wiring.FlagPrefixCachingHashAlgo, wiring.KVEventsHashAlgo,
	}
}

// addKVEventsEnv gives vLLM's container what its KV events need: the pod
// IP its topic carries and, where the picker's index is seeded, the same
// seed for vLLM's block hashes. A Ray worker runs no vLLM server of its
// own and publishes nothing.
func (b *builder) addKVEventsEnv(main *corev1.Container, rayWorker bool) {
	kv := b.svc.KVEvents()
	if kv == nil || rayWorker {
		return
	}
	setEnv(main, corev1.EnvVar{Name: wiring.EnvPodIP, ValueFrom: &corev1.EnvVarSource{
		FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"},
	}})
	if kv.HashSeed != "" {
		setEnv(main, corev1.EnvVar{Name: wiring.EnvPythonHashSeed, Value: kv.HashSeed})
	}
}
