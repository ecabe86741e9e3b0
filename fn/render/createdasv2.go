package render

import (
	"errors"
	"fmt"

	"github.com/apirule-krm/apirule-fn/fn/apirule"
)

// CreatedAsV2 renders a v1beta1 APIRule whose original-version annotation says it
// was created as v2 or v2alpha1, as the controller does: it reconciles the stored
// v2alpha1 form the API server's conversion produced, so the APIRule is rendered by
// V2 after ToV2alpha1. When a rule does not convert, the conversion carries no rule
// over and V2 fails with the controller's "No rules defined"; each blocking field
// is then named in a warning, since the controller's message alone does not say why.
func CreatedAsV2(ctx *Context, ar *apirule.V1beta1APIRule) Output {
	converted, blockers, err := ar.ToV2alpha1()
	if err != nil {
		var out Output
		var ce *apirule.ConversionError
		if errors.As(err, &ce) {
			out.Fail(ce.Path, "the API server cannot convert this APIRule to v2alpha1: "+ce.Message)
		} else {
			out.Fail("", err.Error())
		}
		return out
	}
	out := V2(ctx, converted)
	out.Findings = append(out.Findings, Finding{Severity: Info, Path: "metadata.annotations",
		Message: fmt.Sprintf("rendered as v2: the annotation %s: %s makes the controller process the API server's v2alpha1 conversion of this v1beta1 APIRule",
			apirule.OriginalVersionAnnotation, ar.Metadata.Annotations[apirule.OriginalVersionAnnotation])})
	for _, b := range blockers {
		out.Warn(b.Path, b.Reason+"; so the API server's conversion to v2 carries no rule over: rewrite the rule in v2 terms, or remove the "+apirule.OriginalVersionAnnotation+" annotation to have it processed as v1beta1")
	}
	return out
}
