// Package kinds groups one builder package per kind of generated object. Each builder
// package owns its object's Group and Kind and turns already-decided facts (hosts,
// destinations, principals, selectors) into the object's spec; which facts apply to
// which APIRule version is the renderers' business (package render), so v1beta1 and
// v2 share these builders.
//
// The folder is not called build/: that name is taken for build output by common
// tools and ignore files.
package kinds
