package config

import (
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
)

// monitoringFromInput takes the input's PodMonitor switch and labels.
func monitoringFromInput(c *Config, in *v1beta1.Monitoring, p *field.Path) field.ErrorList {
	c.PodMonitors = in.PodMonitors
	c.MonitoringLabels = in.Labels
	var errs field.ErrorList
	for _, k := range slices.Sorted(maps.Keys(in.Labels)) {
		v := in.Labels[k]
		for _, msg := range append(validation.IsQualifiedName(k), validation.IsValidLabelValue(v)...) {
			errs = append(errs, field.Invalid(p.Child("labels").Key(k), v, msg+"; these labels are for the platform's Prometheus podMonitorSelector"))
		}
	}
	if len(in.Labels) > 0 && !in.PodMonitors {
		errs = append(errs, field.Invalid(p.Child("labels"), len(in.Labels),
			"labels only go on PodMonitors, which are off: set "+p.Child("podMonitors").String()+": true, or remove the labels"))
	}
	return errs
}
