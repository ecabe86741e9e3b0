package istio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"istio.io/istio/pkg/config/schema/collections"
	"istio.io/istio/pkg/log"
	"istio.io/istio/pkg/webhooks/validation/server"
)

// istiod is istiod's validating admission webhook, served in memory: the same handler, the
// same schemas (collections.PilotGatewayAPI, as pilot/pkg/bootstrap registers them) and the
// same domain suffix as a default istiod. An object is sent as the API server sends it, in an
// admission.k8s.io/v1 AdmissionReview, so the schema lookup by group and kind, the conversion
// to istiod's config model, pkg/config/validation and the top-level field check all run.
type istiod struct{ handler http.Handler }

var newIstiod = sync.OnceValues(func() (*istiod, error) {
	mux := http.NewServeMux()
	if _, err := server.New(server.Options{Schemas: collections.PilotGatewayAPI(), DomainSuffix: "cluster.local", Mux: mux}); err != nil {
		return nil, err
	}
	return &istiod{handler: mux}, nil
})

// verdict is the webhook's answer for one object.
type verdict struct {
	Allowed  bool
	Message  string   // why it was refused
	Warnings []string // what a kubectl apply would print
}

// review sends one object to the webhook as a CREATE.
func (w *istiod) review(o obj) (verdict, error) {
	group, version, _ := strings.Cut(fmt.Sprint(o["apiVersion"]), "/")
	body, err := json.Marshal(obj{
		"apiVersion": "admission.k8s.io/v1",
		"kind":       "AdmissionReview",
		"request": obj{
			"uid":       "00000000-0000-0000-0000-000000000001",
			"kind":      obj{"group": group, "version": version, "kind": kindOf(o)},
			"resource":  obj{"group": group, "version": version, "resource": strings.ToLower(kindOf(o)) + "s"},
			"namespace": namespaceOf(o),
			"name":      nameOf(o),
			"operation": "CREATE",
			"userInfo":  obj{"username": "apirule-fn-test"},
			"object":    o,
		},
	})
	if err != nil {
		return verdict{}, err
	}
	req := httptest.NewRequest(http.MethodPost, "/validate", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return verdict{}, fmt.Errorf("webhook answered HTTP %d: %s", rec.Code, rec.Body.String())
	}
	var review struct {
		Response *struct {
			Allowed bool `json:"allowed"`
			Status  *struct {
				Message string `json:"message"`
			} `json:"status"`
			Warnings []string `json:"warnings"`
		} `json:"response"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &review); err != nil || review.Response == nil {
		return verdict{}, fmt.Errorf("webhook answer does not decode (%v): %s", err, rec.Body.String())
	}
	v := verdict{Allowed: review.Response.Allowed, Warnings: review.Response.Warnings}
	if review.Response.Status != nil {
		v.Message = review.Response.Status.Message
	}
	return v, nil
}

// istioObject reports whether istiod validates o: the Istio groups (Oathkeeper Rules are
// checked by test/apiserver with Oathkeeper's own code).
func istioObject(o obj) bool {
	g := groupOf(o)
	return g == "networking.istio.io" || g == "security.istio.io"
}

func TestMain(m *testing.M) {
	// istiod logs every refusal at info level; the tests report what matters themselves.
	for _, s := range log.Scopes() {
		s.SetOutputLevel(log.ErrorLevel)
	}
	os.Exit(m.Run())
}
