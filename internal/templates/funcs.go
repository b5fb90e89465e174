package templates

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"text/template"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// The functions a template may call, besides text/template's builtins:
// KServe's, and no others.
const (
	fnChildName        = "ChildName"
	fnKVTransferConfig = "kvTransferConfig"
	fnShutdownTimeout  = "shutdownTimeout"
)

// Functions the renderer adds to the parse trees it executes (see
// guard.go). They are not defined for a user: a template that names one is
// refused as if it named any other unknown function.
const (
	fnStep  = "_step"
	fnPrint = "_print"
)

// shutdownDefaultGrace is the pod's terminationGracePeriodSeconds when its
// spec sets none, as Kubernetes defaults it.
const shutdownDefaultGrace = 60

// shutdownSignalMargin is what shutdownTimeout keeps back for the signal
// to reach vLLM and its processes to exit before the kubelet kills them.
const shutdownSignalMargin = 5

// funcs are the functions of one render, metered by m.
func funcs(m *meter) template.FuncMap {
	text := func(s string) (string, error) { return s, m.build(len(s)) }
	return template.FuncMap{
		fnChildName: func(parent, suffix string) (string, error) { return text(ChildName(parent, suffix)) },
		fnKVTransferConfig: func(kv any) (string, error) {
			s, err := kvTransferConfig(kv)
			if err != nil {
				return "", err
			}
			return text(s)
		},
		fnShutdownTimeout: shutdownTimeout,

		// text/template's builtins that make text, the same functions
		// metered (a template may build text it never prints,
		// {{ $x := printf ... }}, and that text must count too) and
		// taking what an action may print (scalar).
		"print":    printing("print", fmt.Sprint, text),
		"println":  printing("println", fmt.Sprintln, text),
		"html":     printing("html", template.HTMLEscaper, text),
		"js":       printing("js", template.JSEscaper, text),
		"urlquery": printing("urlquery", template.URLQueryEscaper, text),
		"printf": func(format string, args ...any) (string, error) {
			a, err := printArgs("printf", args)
			if err != nil {
				return "", err
			}
			return text(fmt.Sprintf(format, a...))
		},

		fnStep:  m.step,
		fnPrint: printable,
	}
}

// printing is a text-making builtin whose arguments are printed as
// actions print, metered by text.
func printing(name string, fn func(...any) string, text func(string) (string, error)) func(...any) (string, error) {
	return func(args ...any) (string, error) {
		a, err := printArgs(name, args)
		if err != nil {
			return "", err
		}
		return text(fn(a...))
	}
}

// shutdownTimeout is the template function shutdownTimeout, as KServe
// defines it: the seconds vLLM may take to drain (--shutdown-timeout) in a
// pod that sleeps preStop seconds before SIGTERM, leaving a margin before
// the kubelet kills it: max(0, grace - preStop - min(5, grace)), grace being
// the pod's terminationGracePeriodSeconds or 60. KServe takes any value
// that is not a pod spec as one without a grace period; a template that
// passes something else is refused here instead, since it names the wrong
// field.
func shutdownTimeout(pod any, preStop int64) (int64, error) {
	grace := int64(shutdownDefaultGrace)
	switch p := pod.(type) {
	case nil:
	case *corev1.PodSpec:
		if p != nil && p.TerminationGracePeriodSeconds != nil {
			grace = *p.TerminationGracePeriodSeconds
		}
	case corev1.PodSpec:
		if p.TerminationGracePeriodSeconds != nil {
			grace = *p.TerminationGracePeriodSeconds
		}
	default:
		return 0, errors.Errorf("%s takes a pod spec (.Spec.Template, .Spec.Worker, .Spec.Prefill.Template, ...), not a %T", fnShutdownTimeout, pod)
	}
	return max(0, grace-preStop-min(shutdownSignalMargin, grace)), nil
}

// kvTransferConfig is the template function kvTransferConfig, as KServe
// defines it: "" for no offloading, else vLLM's --kv-transfer-config for
// its OffloadingConnector with the CPU size in bytes, the eviction policy
// and one fs tier per secondary tier with a file system, as
// --kv-transfer-config '<json>' with every " written \" so that the flag
// survives the double-quoted shell assignment KServe's presets put it in.
// That is the string KServe's field holds once rendered (its template
// writes \\\" into the JSON text of the whole spec, which decodes to \").
//
// It takes the value at spec.kvCacheOffloading (or the prefill's), in any
// Go type whose JSON is KServe's, and refuses anything else rather than
// guess.
func kvTransferConfig(kv any) (string, error) {
	if kv == nil {
		return "", nil
	}
	if v := reflect.ValueOf(kv); v.Kind() == reflect.Pointer && v.IsNil() {
		return "", nil
	}
	b, err := json.Marshal(kv)
	if err != nil {
		return "", errors.Wrapf(err, "%s cannot read its argument", fnKVTransferConfig)
	}
	var o spec.KVCacheOffloadingSpec
	if err := json.Unmarshal(b, &o); err != nil || o.CPU.IsZero() {
		return "", errors.Errorf("%s takes .Spec.KVCacheOffloading or .Spec.Prefill.KVCacheOffloading, with its cpu set; got a %T without cpu", fnKVTransferConfig, kv)
	}
	// The JSON the function passes vLLM for the same field (one
	// builder), with encoding/json's key order, KServe's.
	out := o.Transfer().JSON()
	return "--kv-transfer-config '" + strings.ReplaceAll(out, `"`, `\"`) + "'", nil
}

// printable passes on the value an action prints, as the value fmt should
// print, and refuses one it should not. text/template would print a nil
// pointer as "<nil>" (an unset .Spec.Parallelism.Data in
// --data-parallel-size={{ ... }}), which no program reading the field
// expects, and a struct, map or list with the addresses of the pointers in
// it, which differ from call to call. pipe is the action's pipeline, for
// the message.
func printable(pipe string, v any) (any, error) {
	out, why := scalar(v)
	if why != "" {
		return nil, &printError{msg: fmt.Sprintf("{{%s}} %s", pipe, why)}
	}
	return out, nil
}

// printArgs are the arguments of a text-making builtin as fmt should print
// them, for the same reasons.
func printArgs(fn string, args []any) ([]any, error) {
	out := make([]any, len(args))
	for i, a := range args {
		v, why := scalar(a)
		if why != "" {
			return nil, &printError{msg: fmt.Sprintf("the argument %d of %s %s", i+1, fn, why)}
		}
		out[i] = v
	}
	return out, nil
}

// scalar is v as fmt should print it, whatever the verb: what a pointer
// points to, the text of a quantity or an int-or-string ("4", not its
// fields), or a string, number or boolean. Anything else has a reason it
// cannot be printed: fmt would print the fields of a struct, pointers as
// addresses, and even a type that prints itself only does for some verbs.
func scalar(v any) (any, string) {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) {
		if rv.IsNil() {
			return nil, "has no value: it is not set; guard it with if, or give a default with or, as in {{or .Spec.Parallelism.Data 1}}"
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil, "has no value: it is not set; guard it with if, or give a default with or, as in {{or .Spec.Parallelism.Data 1}}"
	}
	switch x := rv.Interface().(type) {
	case resource.Quantity:
		return x.String(), ""
	case intstr.IntOrString:
		return x.String(), ""
	}
	switch rv.Kind() {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return rv.Interface(), ""
	}
	return nil, fmt.Sprintf("is a %s, not a string, number, boolean or quantity: print one of its fields", rv.Type())
}

// A printError is a value a template may not print.
type printError struct{ msg string }

func (e *printError) Error() string { return e.msg }
