package spec

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// ServedModelName is the name vLLM serves the model under: spec.model.name,
// else the service's name, as KServe's defaulter does.
func (svc *Service) ServedModelName() string {
	if n := svc.Spec.Model.Name; n != nil && *n != "" {
		return *n
	}
	return svc.Name
}

// A FlagSource is one place the vLLM flags of a model-server pod come from.
type FlagSource struct {
	// Tokens as vLLM receives them.
	Tokens []string
	// Name says where they are, for messages.
	Name string
	// At is the field the token at index i is written in.
	At func(i int) *field.Path
}

// VLLMFlagSources are where the vLLM flags of the main container c come
// from, in the order vLLM reads them, which is KServe's: the command's own
// when it runs vllm serve, then VLLM_ADDITIONAL_ARGS, then args. mp is the
// container's field. A source the function cannot read is an error: its
// flags could be neither checked nor passed on.
func VLLMFlagSources(c *corev1.Container, args []string, mp *field.Path) (wiring.Launch, []FlagSource, field.ErrorList) {
	var (
		srcs []FlagSource
		errs field.ErrorList
	)
	cp := mp.Child("command")
	l, err := wiring.ReadLaunch(c.Command)
	if err != nil {
		errs = append(errs, field.Forbidden(cp, "runs vllm serve with words the function cannot pass on to vLLM: "+err.Error()))
	}
	if l.Kind == wiring.LaunchVLLM {
		srcs = append(srcs, FlagSource{Tokens: l.Tokens, Name: cp.String(), At: func(int) *field.Path { return cp }})
	}
	for _, e := range c.Env {
		if e.Name != wiring.EnvAdditionalArgs {
			continue
		}
		ep := mp.Child("env").Key(e.Name)
		if e.ValueFrom != nil {
			errs = append(errs, field.Forbidden(ep.Child("valueFrom"),
				"the function reads these flags to check them and passes them to vLLM itself: write them in value"))
			continue
		}
		tokens, err := wiring.SplitAdditionalArgs(e.Value)
		if err != nil {
			errs = append(errs, field.Invalid(ep.Child("value"), e.Value, "read as KServe's launcher reads it (bash): "+err.Error()))
			continue
		}
		vp := ep.Child("value")
		srcs = append(srcs, FlagSource{Tokens: tokens, Name: ep.String(), At: func(int) *field.Path { return vp }})
	}
	ap := mp.Child("args")
	srcs = append(srcs, FlagSource{Tokens: args, Name: ap.String(), At: func(i int) *field.Path { return ap.Index(i) }})
	return l, srcs, errs
}

// A flagSetting is the value a vLLM flag gives a parallelism field.
type flagSetting struct {
	n   int32
	on  bool
	arg wiring.VLLMArg
	src *FlagSource
}

// from says which flag set it, for messages.
func (s flagSetting) from() string { return fmt.Sprintf("%s in %s", s.arg.Written(), s.src.Name) }

// FlagParallelism is the parallelism the vLLM flags of one pod set.
type FlagParallelism struct {
	set map[wiring.ParallelismField]flagSetting
}

// ReadFlagParallelism reads the parallelism flags of srcs. A value vLLM
// would refuse, or a field set twice to different values, is an error.
func ReadFlagParallelism(srcs []FlagSource) (FlagParallelism, field.ErrorList) {
	fp := FlagParallelism{set: map[wiring.ParallelismField]flagSetting{}}
	var errs field.ErrorList
	for i := range srcs {
		src := &srcs[i]
		for _, a := range wiring.ParseVLLMArgs(src.Tokens) {
			_, _, par, owned := a.Owned()
			if !owned || par == "" || len(a.Ambiguous) > 0 {
				continue
			}
			s, err := readSetting(a, par, src)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if prev, ok := fp.set[par]; ok && (prev.n != s.n || prev.on != s.on) {
				errs = append(errs, field.Forbidden(src.At(a.At), fmt.Sprintf("%s contradicts %s: vLLM would take the last; set it once", a.Written(), prev.from())))
				continue
			}
			fp.set[par] = s
		}
	}
	return fp, errs
}

// readSetting reads the value a gives the parallelism field par.
func readSetting(a wiring.VLLMArg, par wiring.ParallelismField, src *FlagSource) (flagSetting, *field.Error) {
	s := flagSetting{arg: a, src: src}
	if par == wiring.ParExpert {
		s.on = a.Bool()
		return s, nil
	}
	n, err := strconv.ParseInt(firstValue(a), 10, 32)
	if err != nil || n < 1 {
		return s, field.Invalid(src.At(a.At), a.Written(), "vLLM takes a whole number above 0 for "+a.Flag)
	}
	s.n = int32(n)
	return s, nil
}

func firstValue(a wiring.VLLMArg) string {
	if len(a.Values) == 0 {
		return ""
	}
	return a.Values[0]
}

// Fill returns p with the fields it leaves unset taken from the flags: the
// parallelism the pod's vLLM runs with. spec.Validate has refused flags
// that contradict p or that p's topology cannot take.
func (f FlagParallelism) Fill(p *ParallelismSpec) *ParallelismSpec {
	out := &ParallelismSpec{}
	if p != nil {
		c := *p // Fields are replaced, never written through.
		out = &c
	}
	fill := func(dst **int32, par wiring.ParallelismField) {
		if s, ok := f.set[par]; ok && *dst == nil {
			*dst = ptr.To(s.n)
		}
	}
	fill(&out.Tensor, wiring.ParTensor)
	fill(&out.Pipeline, wiring.ParPipeline)
	fill(&out.Data, wiring.ParData)
	fill(&out.DataLocal, wiring.ParDataLocal)
	fill(&out.DataRPCPort, wiring.ParDataRPCPort)
	if s, ok := f.set[wiring.ParExpert]; ok && s.on {
		out.Expert = true
	}
	if out.Data != nil && out.DataLocal == nil && (p == nil || p.Data == nil) {
		// On one node vLLM runs every data parallel rank locally.
		out.DataLocal = ptr.To(*out.Data)
	}
	if p == nil && *out == (ParallelismSpec{}) {
		return nil
	}
	return out
}

// From says which flag set a parallelism field, "" when none did: what the
// spec's field does not say.
func (f FlagParallelism) From(par wiring.ParallelismField, p *ParallelismSpec) string {
	s, ok := f.set[par]
	if !ok || specSets(p, par) {
		return ""
	}
	return s.from()
}

// specSets reports whether p sets the field par.
func specSets(p *ParallelismSpec, par wiring.ParallelismField) bool {
	if p == nil {
		return false
	}
	switch par {
	case wiring.ParTensor:
		return p.Tensor != nil
	case wiring.ParPipeline:
		return p.Pipeline != nil
	case wiring.ParData:
		return p.Data != nil
	case wiring.ParDataLocal:
		return p.DataLocal != nil
	case wiring.ParDataRPCPort:
		return p.DataRPCPort != nil
	case wiring.ParExpert:
		return p.Expert
	}
	return false
}

// specValue is the value p gives par, for comparison with a flag's.
func specValue(p *ParallelismSpec, par wiring.ParallelismField) (n int32, on bool) {
	switch par {
	case wiring.ParTensor:
		return *p.Tensor, false
	case wiring.ParPipeline:
		return *p.Pipeline, false
	case wiring.ParData:
		return *p.Data, false
	case wiring.ParDataLocal:
		return *p.DataLocal, false
	case wiring.ParDataRPCPort:
		return *p.DataRPCPort, false
	default:
		return 0, p.Expert
	}
}
