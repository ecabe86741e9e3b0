// Package lint finds APIRule settings that the Kyma controller accepts and renders
// faithfully but that weaken the protection a user probably meant: JWKS fetched over
// plain HTTP or from inside the cluster (istiod fetches it: an SSRF vector), JWT rules
// without audiences (tokens minted for other services pass), tokens in query strings
// (they end up in logs), CORS that lets any origin send credentials, and paths with
// characters that proxies normalise differently.
//
// Parity with the controller means these are warnings, never changes to the output.
package lint
