package spec

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// validateKVTransferFlag refuses a --kv-transfer-config of the user's in a
// pod of the workload at wp when the workload sets kvCacheOffloading: vLLM
// takes one connector configuration, and the function composes it from
// kvCacheOffloading (with NIXL in a MultiConnector for prefill/decode).
// KServe's launcher silently drops its own flag then, so the offloading the
// spec asks for never happens; here neither is dropped without a word.
func validateKVTransferFlag(w *WorkloadSpec, srcs []FlagSource, wp *field.Path) field.ErrorList {
	if w.Offloading() == nil {
		return nil
	}
	kp := wp.Child("kvCacheOffloading")
	var errs field.ErrorList
	for i := range srcs {
		for _, a := range wiring.ParseVLLMArgs(srcs[i].Tokens) {
			// Any spelling: --kv_transfer_config, an abbreviation, or a
			// dotted --kv-transfer-config.kv_role that sets one key.
			if a.Flag != wiring.FlagKVTransferConfig && !slices.Contains(a.Ambiguous, wiring.FlagKVTransferConfig) {
				continue
			}
			errs = append(errs, field.Forbidden(srcs[i].At(a.At), fmt.Sprintf(
				"%s in %s cannot be set together with %s: the function passes vLLM its --kv-transfer-config for the offloading (joined with NIXL in a MultiConnector for prefill/decode); remove the flag, or remove %s to run your own connector",
				a.Tokens[0], srcs[i].Name, kp, kp)))
		}
	}
	return errs
}
