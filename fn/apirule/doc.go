// Package apirule holds the typed model of the Kyma APIRule versions the function
// understands (gateway.kyma-project.io v1alpha1, v1beta1, v2alpha1 and v2) and the
// conversions the Kyma API server applied between them.
//
// The types mirror the CRD schemas, not the upstream Go structs: pointers and nil
// slices keep "absent" apart from "empty" wherever the controller's validation tells
// the two apart (an empty `authorizations: []` fails, an absent one does not).
// Decoding happens after the schema check in package schema, so a type mismatch here
// is a bug, not user input.
package apirule
