// Package virtualservice builds the spec of the one Istio VirtualService the
// controller creates per APIRule: one HTTP route per (de-duplicated) rule, each with
// its match, destination, timeout, request headers, CORS handling.
package virtualservice
