package spec

import (
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// validateTracing checks tracing at p. KServe's API takes any strings; a
// ratio sampler's argument that is not a ratio would only be found when
// OpenTelemetry's SDK falls back to a ratio of its own choosing in every
// pod, so it is refused here.
func validateTracing(t *TracingSpec, p *field.Path) field.ErrorList {
	if t == nil {
		return nil
	}
	// The spec is the merged one: the tracing preset's defaults are in.
	if !strings.HasSuffix(t.Sampler, "traceidratio") {
		return nil
	}
	if r, err := strconv.ParseFloat(t.SamplerArg, 64); err != nil || r < 0 || r > 1 {
		return field.ErrorList{field.Invalid(p.Child("samplerArg"), t.SamplerArg,
			"the sampler "+t.Sampler+" takes the share of traces to keep, a number from 0 to 1, e.g. \"0.05\"")}
	}
	return nil
}
