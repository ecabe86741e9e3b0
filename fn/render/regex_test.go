package render

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/apirule-krm/apirule-fn/fn/config"
)

// TestRegexesIstioWouldReject: a path or origin regex that RE2 refuses fails the
// APIRule at its field, since istiod would refuse the VirtualService on apply.
func TestRegexesIstioWouldReject(t *testing.T) {
	t.Run("v2 path", func(t *testing.T) {
		out := V2(v2Context(t, v2Cluster), v2MinimalAPIRule(t, "v2", "a.example.com", "kyma-system/kyma-gateway",
			"  - {path: '/a(', methods: [GET], noAuth: true}\n"))
		assert.Empty(t, out.Objects)
		assert.Equal(t, []Finding{{Error, "spec.rules[0].path",
			"path \"/a(\" becomes the VirtualService regex \"^/a($\", which is not valid RE2 (error parsing regexp: missing closing ): `^/a($`): Istio would reject the VirtualService"}},
			v1beta1Errors(out))
	})
	t.Run("v1beta1 path and origin", func(t *testing.T) {
		spec := `host: httpbin.example.com
gateway: kyma-system/kyma-gateway
service: {name: httpbin, port: 8000}
corsPolicy: {allowOrigins: [{regex: "[a-"}]}
rules:
- {path: /ok/.*, methods: [GET], accessStrategies: [{handler: noop}]}
- {path: /a++, methods: [GET], accessStrategies: [{handler: noop}]}`
		out := V1beta1(v1beta1Context(t, v1beta1KymaGateway+"---\n"+v1beta1HttpbinService, config.Config{}), v1beta1APIRule(t, spec))
		assert.Empty(t, out.Objects)
		errs := v1beta1Errors(out)
		if assert.Len(t, errs, 2) {
			assert.Equal(t, "spec.rules[1].path", errs[0].Path)
			assert.Contains(t, errs[0].Message, `path "/a++", which is not valid RE2`)
			assert.Equal(t, "spec.corsPolicy.allowOrigins[0].regex", errs[1].Path)
			assert.Contains(t, errs[1].Message, `the origin regex "[a-", which is not valid RE2`)
		}
	})
}
