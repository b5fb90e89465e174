package validate

import (
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
)

// formatQuantity is the string format we give resource.Quantity in built-in
// schemas. It isn't an OpenAPI format: the API server checks quantities when
// it decodes them into Go, so we check them the same way, with
// resource.ParseQuantity. CRDs never see it: they use the formats the API
// server supports for them.
const formatQuantity = "k8s-quantity"

// builtinFormats are the formats kube-openapi checks for CRDs (date-time,
// byte, ...), plus formatQuantity. It is a copy: adding to strfmt.Default
// would change how CRDs are validated in the same test binary.
var builtinFormats = func() strfmt.Registry {
	r := strfmt.NewFormats()
	q := quantityString("")
	r.Add(formatQuantity, &q, func(s string) bool {
		_, err := resource.ParseQuantity(s)
		return err == nil
	})
	return r
}()

// quantityString is the Go type strfmt registers for formatQuantity. strfmt
// wants a type per format; only its validator matters to us.
type quantityString string

func (q quantityString) String() string { return string(q) }

func (q quantityString) MarshalText() ([]byte, error) { return []byte(q), nil }

func (q *quantityString) UnmarshalText(b []byte) error {
	*q = quantityString(b)
	return nil
}
