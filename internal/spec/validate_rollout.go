package spec

import (
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// validateRolloutStrategy checks a workload's rolloutStrategy at p with
// KServe's webhook's rules: each value a count of 0 or more or a
// percentage up to 100%, not both zero (a rollout that may neither take a
// replica down nor add one never progresses), and on a LeaderWorkerSet a
// maxSurge next to maxUnavailable 0, since KServe fills a missing maxSurge
// with 0 there.
func validateRolloutStrategy(w *WorkloadSpec, p *field.Path) field.ErrorList {
	rs := w.RolloutStrategy
	if rs == nil {
		return nil
	}
	p = p.Child("rolloutStrategy")
	var errs field.ErrorList
	unavailable, okU := rolloutValue(rs.MaxUnavailable, p.Child("maxUnavailable"), &errs)
	surge, okS := rolloutValue(rs.MaxSurge, p.Child("maxSurge"), &errs)
	if !okU || !okS {
		return errs
	}
	switch {
	case rs.MaxUnavailable != nil && rs.MaxSurge != nil && unavailable == 0 && surge == 0:
		errs = append(errs, field.Invalid(p, rolloutString(rs), "maxUnavailable and maxSurge cannot both be zero: the rollout could neither take a replica down nor add one; raise one of them, e.g. maxSurge: 1"))
	case w.Topology() != SingleNode && rs.MaxUnavailable != nil && unavailable == 0 && rs.MaxSurge == nil:
		errs = append(errs, field.Required(p.Child("maxSurge"), "a LeaderWorkerSet with maxUnavailable 0 needs maxSurge: unset it is 0, and the rollout could neither take a group down nor add one; set maxSurge, e.g. 1"))
	}
	return errs
}

// rolloutValue is v's number or percentage, and whether it is valid; an
// invalid value is added to errs. An unset value is valid.
func rolloutValue(v *intstr.IntOrString, p *field.Path, errs *field.ErrorList) (int, bool) {
	if v == nil {
		return 0, true
	}
	if v.Type == intstr.Int {
		if v.IntVal < 0 {
			*errs = append(*errs, field.Invalid(p, v.IntVal, "must be 0 or more"))
			return 0, false
		}
		return int(v.IntVal), true
	}
	s := v.StrVal
	n, err := strconv.Atoi(strings.TrimSuffix(s, "%"))
	switch {
	case !strings.HasSuffix(s, "%") || err != nil:
		*errs = append(*errs, field.Invalid(p, s, "must be a number of replicas or a percentage of them, e.g. 1 or 25%"))
		return 0, false
	case n < 0 || n > 100:
		*errs = append(*errs, field.Invalid(p, s, "must be a percentage between 0% and 100%"))
		return 0, false
	}
	return n, true
}

// rolloutString writes a rolloutStrategy for a message.
func rolloutString(rs *RolloutStrategySpec) string {
	return "maxUnavailable: " + rs.MaxUnavailable.String() + ", maxSurge: " + rs.MaxSurge.String()
}
