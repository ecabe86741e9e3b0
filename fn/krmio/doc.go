// Package krmio reads and writes what a KRM function gets on stdin and puts on
// stdout: a ResourceList (config.kubernetes.io/v1, or the older v1beta1/v1alpha1), or
// a plain multi-document YAML stream.
//
// It replaces kyaml's kio.ByteReadWriter on purpose. Writing is the dominant cost of
// a kyaml function: kyaml encodes the whole ResourceList as one yaml.v3 document,
// whose emitter never compacts its event queue. Writing item by item, with the
// ResourceList header written by hand, gives the same bytes at a fraction of the
// time and memory (see docs in the README's Performance section). Reading is kept
// strict and bounded: input size is capped before parsing, and nothing is ever
// de-anchored (a billion-laughs input stays a small graph).
package krmio
