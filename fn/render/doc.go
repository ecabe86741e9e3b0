// Package render turns one validated-by-schema APIRule into the objects the Kyma API
// Gateway controller would create for it, or into the controller's validation
// failures. APIRule (apirule.go) is the one entry point and the one version
// dispatch: it decodes the typed APIRule and picks the renderer. One file per
// processing path: v2.go (v2 and v2alpha1, Istio-native) and v1beta1.go (v1beta1 and
// converted v1alpha1, Oathkeeper or Istio JWT handler).
//
// Renderers are pure: all cluster state comes through the Context, names and
// ownership are the processor's business.
package render
