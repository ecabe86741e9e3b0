// Package cluster is the render-time stand-in for what the Kyma controller looks up in
// a live cluster: target Services (their selectors), Gateways (existence and domain),
// VirtualServices (hosts already served), the mesh ConfigMap (extAuth providers) and
// the api-gateway-config ConfigMap (JWT handler).
//
// Lookup order. Objects the controller reads from the cluster (target Services,
// Gateways, the mesh ConfigMap's extAuth providers) come from the input items first,
// then from the function config (serviceSelectors, gateways, extAuthProviders), then
// from a documented assumption. The controller's own settings go the other way: the
// JWT handler and the default domain of v1alpha1/v1beta1 short hosts come from the
// function config first (jwtHandler; defaultDomain, then gateways["kyma-system/
// kyma-gateway"]), because an explicit setting overrides what the input implies, and
// only then from the input (the api-gateway-config ConfigMap; the kyma-gateway
// Gateway), else the controller's default. The rule for assumptions: when the input carries no
// object of a kind at all, the function is running without that part of the cluster
// (a Gateway kept in another repository, say) and assumes what it needs, reporting
// each assumption. When the input carries objects of that kind, it is taken as the
// cluster's complete set and a missing object fails as it does in the controller.
// Strict mode assumes all the same: the checks report each assumption (AF701, AF702),
// so that strict makes it an error unless the APIRule waives the check.
package cluster
