// Package object is the in-memory form of an object the function generates
// (VirtualService, AuthorizationPolicy, RequestAuthentication, Oathkeeper Rule) and its
// conversion to a YAML node.
//
// Specs of Istio kinds are istio.io/api protobuf messages, so field names and types
// come from Istio's API rather than from hand-typed maps. They are converted with
// protobuf reflection straight into yaml.v3 nodes (JSON field names, keys sorted,
// unset fields left out, as protojson would) instead of going through protojson and
// a YAML re-parse: that is deterministic (protojson randomises whitespace) and several
// times cheaper on large inputs.
package object
