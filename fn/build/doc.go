// Package build groups one builder package per kind of generated object. A builder
// turns already-decided facts (hosts, destinations, principals, selectors) into the
// object's spec; which facts apply to which APIRule version is the renderers' business
// (package render), so v1beta1 and v2 share these builders.
package build
