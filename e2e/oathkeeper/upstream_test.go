package oathkeeper

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
)

// requestIDHeader carries a per-request id from the test through Oathkeeper to the upstream,
// so the test can tell exactly which of its requests arrived.
const requestIDHeader = "X-E2e-Request-Id"

// upstream stands in for the httpbin Service of the tutorial. Like httpbin, /headers answers
// with the request headers as JSON; every other path answers 200 with its method and path.
// It records the headers of each request it receives by request id.
type upstream struct {
	server *httptest.Server
	mu     sync.Mutex
	seen   map[string]http.Header
}

func startUpstream() *upstream {
	u := &upstream{seen: map[string]http.Header{}}
	u.server = httptest.NewServer(http.HandlerFunc(u.serve))
	return u
}

func (u *upstream) serve(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	u.seen[r.Header.Get(requestIDHeader)] = r.Header.Clone()
	u.mu.Unlock()

	var body any = map[string]string{"method": r.Method, "path": r.URL.Path}
	if r.URL.Path == "/headers" {
		body = map[string]http.Header{"headers": r.Header}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

// saw reports whether the request with the given id arrived, and with which headers.
func (u *upstream) saw(id string) (http.Header, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	h, ok := u.seen[id]
	return h, ok
}
