package oathkeeper

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// oathkeeperService is where the rendered VirtualServices send secured routes.
const oathkeeperService = "ory-oathkeeper-proxy.kyma-system.svc.cluster.local:4455"

// gateway plays the Istio ingress gateway for the rendered VirtualServices: it picks the route
// as Envoy would (the VirtualService naming the host, then its first http entry whose match
// holds), sets the route's request headers, and sends the request, with the original Host, to
// the loopback stand-in of the route's destination.
type gateway struct {
	virtualServices []virtualService
	destinations    map[string]string // "<service host>:<port>" → loopback address
}

// response is what a request through the gateway got back, and where the gateway sent it.
type response struct {
	destination string // the VirtualService destination, "<host>:<port>"
	requestID   string // the value of requestIDHeader it carried
	status      int
	body        string
}

// do sends method host+path through the gateway with the given extra headers.
func (g gateway) do(t *testing.T, method, host, path string, header http.Header) response {
	t.Helper()
	route := g.route(t, method, host, path)
	require.Len(t, route.Route, 1, "expected one destination for %s %s%s", method, host, path)
	dest := route.Route[0].Destination
	destination := dest.Host + ":" + strconv.Itoa(dest.Port.Number)
	addr, ok := g.destinations[destination]
	require.True(t, ok, "route for %s%s goes to %s, which this test does not run", host, path, destination)

	header = header.Clone()
	if header == nil {
		header = http.Header{}
	}
	if route.Headers != nil && route.Headers.Request != nil {
		for k, v := range route.Headers.Request.Set {
			header.Set(k, v)
		}
	}
	resp := send(t, addr, method, host, path, header)
	resp.destination = destination
	return resp
}

// route returns the http route a request would take; it fails t when none matches, which
// Envoy would answer with 404.
func (g gateway) route(t *testing.T, method, host, path string) httpRoute {
	t.Helper()
	for _, vs := range g.virtualServices {
		if !slices.Contains(vs.Spec.Hosts, host) {
			continue
		}
		for _, r := range vs.Spec.HTTP {
			if r.matches(t, method, path) {
				return r
			}
		}
	}
	require.FailNow(t, "no route", "no VirtualService routes %s %s%s", method, host, path)
	return httpRoute{}
}

func (r httpRoute) matches(t *testing.T, method, path string) bool {
	if len(r.Match) == 0 {
		return true
	}
	for _, m := range r.Match {
		if m.URI.matches(t, path) && m.Method.matches(t, method) {
			return true
		}
	}
	return false
}

var lastRequestID atomic.Int64

// send makes one HTTP request to addr with the given Host and a fresh request id.
func send(t *testing.T, addr, method, host, path string, header http.Header) response {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+addr+path, nil)
	require.NoError(t, err)
	req.Host = host
	if header != nil {
		req.Header = header.Clone()
	}
	id := fmt.Sprintf("e2e-%d", lastRequestID.Add(1))
	req.Header.Set(requestIDHeader, id)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{requestID: id, status: resp.StatusCode, body: string(body)}
}
