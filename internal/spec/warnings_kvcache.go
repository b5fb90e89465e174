package spec

// kvCacheWarnings name a kvCacheOffloading that offloads nothing.
func kvCacheWarnings(s *LLMInferenceServiceSpec) []string {
	var w []string
	add := func(ws *WorkloadSpec, p string) {
		if ws.KVCacheOffloading != nil && ws.Offloading() == nil {
			w = append(w, p+".cpu is 0: no KV cache is offloaded and vLLM gets no OffloadingConnector; set the CPU memory the KV cache may use, e.g. 10Gi, or remove "+p)
		}
	}
	add(&s.WorkloadSpec, "spec.kvCacheOffloading")
	if s.Prefill != nil {
		add(s.Prefill, "spec.prefill.kvCacheOffloading")
	}
	return w
}
