package render

import (
	"fmt"
	"strings"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

// renderers maps every supported APIRule version to its renderer. This is the one
// version dispatch of the function: a version without an entry is an error, never a
// fallback to another version's renderer. Adding a version means adding an entry
// here (TestEveryVersionIsRendered checks that apirule.Versions and this table agree).
var renderers = map[string]func(*Context, map[string]any) (Output, error){
	apirule.V2:       decodeThen(V2),
	apirule.V2alpha1: decodeThen(V2),
	// A v1beta1 APIRule created as v2 is stored, and processed, as its v2alpha1
	// conversion.
	apirule.V1beta1: decodeThen(func(ctx *Context, ar *apirule.V1beta1APIRule) Output {
		if ar.CreatedAsV2() {
			return CreatedAsV2(ctx, ar)
		}
		return V1beta1(ctx, ar)
	}),
	// v1alpha1 is stored as v1beta1: the API server converted it before the
	// controller saw it.
	apirule.V1alpha1: decodeThen(func(ctx *Context, ar *apirule.V1alpha1APIRule) Output {
		out := V1beta1(ctx, ar.ToV1beta1())
		out.nameV1alpha1Fields()
		return out
	}),
}

// decodeThen decodes the plain object into the typed APIRule T and renders it.
func decodeThen[T any](render func(*Context, *T) Output) func(*Context, map[string]any) (Output, error) {
	return func(ctx *Context, obj map[string]any) (Output, error) {
		var ar T
		if err := apirule.Decode(obj, &ar); err != nil {
			return Output{}, err
		}
		return render(ctx, &ar), nil
	}
}

// APIRule renders one APIRule object of the given version (apirule.VersionOf) that
// the CRD schema has accepted: it decodes the typed APIRule and runs the version's
// renderer. This is the processor's one entry point into rendering. An error means
// the object could not be decoded or the version has no renderer, both bugs rather
// than user input, since the schema check comes first.
func APIRule(ctx *Context, version string, obj map[string]any) (Output, error) {
	render, ok := renderers[version]
	if !ok {
		return Output{}, fmt.Errorf("no renderer for APIRule version %q", version)
	}
	return render(ctx, obj)
}

// nameV1alpha1Fields adds the field of the v1alpha1 APIRule as written to findings
// at a v1beta1 path that the conversion renamed: spec.host is spec.service.host.
// The path itself stays the controller's, which reports the converted APIRule.
func (o *Output) nameV1alpha1Fields() {
	for i, f := range o.Findings {
		if f.Path == "spec.host" || strings.HasPrefix(f.Path, "spec.host.") {
			o.Findings[i].Message = "at spec.service.host" + strings.TrimPrefix(f.Path, "spec.host") + " of this v1alpha1 APIRule: " + f.Message
		}
	}
}
