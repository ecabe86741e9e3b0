// Package requestauthentication builds Istio RequestAuthentication specs from the
// authentications of a jwt rule (or of extAuth restrictions), and the key the
// controller de-duplicates them by.
package requestauthentication
