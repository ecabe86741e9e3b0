// Package krmio reads and writes what a KRM function gets on stdin and puts on
// stdout: a ResourceList (config.kubernetes.io/v1, or the older v1beta1/v1alpha1), or
// a plain multi-document YAML stream.
//
// It replaces kyaml's kio.ByteReadWriter on purpose. Writing is the dominant cost of
// a kyaml function: kyaml encodes the whole ResourceList as one yaml.v3 document,
// whose emitter never compacts its event queue. Writing item by item, with the
// ResourceList header written by hand, gives the same bytes at a fraction of the
// time and memory (see docs in the README's Performance section). Reading is kept
// strict and bounded: input size is capped before parsing (a regular file above the
// limit is not read at all), nothing is de-anchored here (a billion-laughs input
// stays a small graph; the processor's item checks bound any expansion), UTF-16 is
// transcoded, and YAML that yaml.v3 reads differently from other decoders without a
// trace in the nodes (the non-specific tag "!") or that is ambiguous at the top
// (duplicate ResourceList keys) is an error.
package krmio
