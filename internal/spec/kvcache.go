package spec

import "github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"

// Transfer is the OffloadingConnector that o asks for: the CPU tier in
// bytes (rounded up, as KServe's Quantity.Value gives them), the eviction
// policy, and a file system tier for each secondary entry with a file
// system, at the directory of its index in the list.
func (o *KVCacheOffloadingSpec) Transfer() wiring.KVTransferConfig {
	var tiers []int
	for i, t := range o.Secondary {
		// An entry without a file system keeps its index: volumes are
		// named by it.
		if t.FileSystem != nil {
			tiers = append(tiers, i)
		}
	}
	return wiring.OffloadingTransfer(o.CPU.Value(), o.EvictionPolicy, tiers)
}

// Offloading is the workload's kvCacheOffloading when it offloads
// anything, else nil: a CPU tier of 0 bytes holds nothing, and
// spec.Validate refuses secondary tiers below it. vLLM is given no
// OffloadingConnector for it (spec.Warnings says so).
func (w *WorkloadSpec) Offloading() *KVCacheOffloadingSpec {
	if o := w.KVCacheOffloading; o != nil && o.CPU.Sign() > 0 {
		return o
	}
	return nil
}
